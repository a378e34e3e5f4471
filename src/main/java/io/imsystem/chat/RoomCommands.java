package io.imsystem.chat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.broker.Broker;
import io.imsystem.broker.RoomEvent;
import io.imsystem.command.Command;
import io.imsystem.command.CommandParser;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.NameDirectory.Owner;
import io.imsystem.presence.Presence;
import io.imsystem.presence.StoreUnavailableException;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;

/** What a member's frames do in the room: chat, private messages, rename, who, ping. */
final class RoomCommands {

	private final Membership membership;

	private final Roster roster;

	private final Presence presence;

	private final Broker broker;

	private final CommandParser parser;

	private final ChatMetrics metrics;

	private final Clock clock;

	RoomCommands(Membership membership, Roster roster, Presence presence, Broker broker, CommandParser parser,
			ChatMetrics metrics, Clock clock) {
		this.membership = membership;
		this.roster = roster;
		this.presence = presence;
		this.broker = broker;
		this.parser = parser;
		this.metrics = metrics;
		this.clock = clock;
	}

	void receive(ChatSession session, String frame) {
		receive(session, frame, null);
	}

	/**
	 * @param run where a chat waits to go out with the session's next ones, or {@code null} to send
	 * it now; anything else the frame does happens after the run's chats have gone out
	 */
	void receive(ChatSession session, String frame, ChatRun run) {
		long now = this.clock.millis();
		Command command = this.parser.parse(frame);
		if (command.isActivity()) {
			session.touch(now);
			this.roster.touched(session, now);
		}
		RateLimiter limiter = session.rateLimiter();
		boolean allowed = limiter.tryAcquire(now);
		if (allowed && command instanceof Command.Chat chat) {
			Envelope envelope = new Envelope(new ServerEvent.Chat(session.name(), chat.text(), now, session.shownAddress()));
			if (run == null) {
				publishChats(session, envelope, 1);
				return;
			}
			run.add(session, envelope, chat.text().length());
			if (run.isFull()) {
				flush(run);
			}
			return;
		}
		// What this frame does comes after the chats sent before it.
		flush(run);
		if (!allowed) {
			if (limiter.shouldReportDrop(now)) {
				this.membership.error(session, ErrorCause.RATE_LIMITED,
						"too many messages: this one and others were dropped", now);
			}
			return;
		}
		// Java 17 has no pattern switch; the chain below covers every permitted Command but Chat,
		// handled above.
		if (command instanceof Command.Private message) {
			whisper(session, message, now);
		}
		else if (command instanceof Command.Rename rename) {
			rename(session, rename.name(), now);
		}
		else if (command instanceof Command.Who) {
			who(session, now);
		}
		else if (command instanceof Command.Ping) {
			session.send(new Envelope(new ServerEvent.Pong(now)));
		}
		else if (command instanceof Command.Invalid invalid) {
			this.membership.error(session, invalid.cause(), invalid.message(), now);
		}
		else {
			throw new IllegalStateException("no handling for " + command);
		}
	}

	/**
	 * Sends the chats waiting in {@code run}, if any, as one room event. A session that has ended
	 * meanwhile (kicked while its read was handled) says nothing more, as when its lines arrive
	 * after the kick.
	 */
	void flush(ChatRun run) {
		if (run == null || run.isEmpty()) {
			return;
		}
		ChatSession session = run.session();
		int count = run.size();
		Envelope chats = run.take();
		if (!session.isEnded()) {
			publishChats(session, chats, count);
		}
	}

	private void publishChats(ChatSession session, Envelope chats, int count) {
		this.metrics.chatMessages(count);
		this.membership.beforeSpeaking(session);
		this.broker.publish(RoomEvent.toAll(chats, this.roster.node(), this.roster.hub().stamp()));
	}

	/**
	 * The recipient is found by its owner in the name directory and reached through the broker by
	 * session id, wherever it is connected; the sender gets its copy directly.
	 */
	private void whisper(ChatSession sender, Command.Private message, long now) {
		Owner owner;
		try {
			owner = this.roster.owner(message.to());
		}
		catch (StoreUnavailableException ex) {
			// The users of this node are still reachable without the cluster.
			ChatSession here = this.roster.findHere(message.to());
			if (here == null) {
				unavailable(sender, "a private message to a user of another node", now);
				return;
			}
			owner = new Owner(this.roster.node(), here.id());
		}
		String targetName = null;
		if (owner != null && owner.node().equals(this.roster.node())) {
			ChatSession target = this.roster.hub().find(owner.sessionId());
			targetName = (target != null && target.isLive()) ? target.name() : null;
		}
		else if (owner != null) {
			if (!this.broker.linkUp()) {
				unavailable(sender, "a private message to a user of another node", now);
				return;
			}
			// Named as its own node lists it (the case it chose), as a local target is.
			Presence.Member target;
			try {
				target = this.presence.member(owner.node(), owner.sessionId(), now);
			}
			catch (StoreUnavailableException ex) {
				unavailable(sender, "a private message to a user of another node", now);
				return;
			}
			targetName = (target != null) ? target.name() : null;
		}
		if (targetName == null) {
			this.membership.error(sender, ErrorCause.UNKNOWN_USER, "no user named " + message.to(), now);
			return;
		}
		this.metrics.privateMessage();
		this.membership.beforeSpeaking(sender);
		Envelope envelope = new Envelope(new ServerEvent.Private(sender.name(), targetName, message.text(), now));
		this.broker.publish(
				new RoomEvent(envelope, null, owner.sessionId(), this.roster.node(), this.roster.hub().stamp()));
		if (!owner.sessionId().equals(sender.id())) {
			sender.send(envelope);
		}
	}

	private void rename(ChatSession session, String name, long now) {
		if (!this.broker.linkUp()) {
			unavailable(session, "a rename", now);
			return;
		}
		String previous;
		try {
			previous = this.roster.rename(session, name);
		}
		catch (StoreUnavailableException ex) {
			unavailable(session, "a rename", now);
			return;
		}
		if (previous == null) {
			this.membership.error(session, ErrorCause.NAME_TAKEN, "the name " + name + " is taken", now);
			return;
		}
		// Answered once the rename has its place among the room's changes: whatever the client
		// does on reading the answer comes after it for everyone.
		if (this.membership.renamed(session, previous)) {
			session.send(new Envelope(new ServerEvent.Renamed(name, previous, now)));
		}
	}

	/** What needs the other nodes while they cannot be reached: nothing changed, try again later. */
	private void unavailable(ChatSession session, String what, long now) {
		this.membership.error(session, ErrorCause.UNAVAILABLE,
				what + " needs the rest of the cluster, which cannot be reached now; try again shortly", now);
	}

	/**
	 * Lists every node's users, or says that it cannot: this node's share alone, shown as the
	 * room, would be a false answer (measured: under load, 74 of 200 answers listed one node of two
	 * while Redis answered late).
	 */
	private void who(ChatSession session, long now) {
		List<Presence.Member> members;
		try {
			members = this.presence.members(now);
		}
		catch (StoreUnavailableException ex) {
			unavailable(session, "the list of every node's users", now);
			return;
		}
		List<ServerEvent.Users.User> users = new ArrayList<>(members.size());
		for (Presence.Member member : members) {
			users.add(new ServerEvent.Users.User(member.name(), member.connectedAt(), member.idleSeconds(),
					member.shownAddress()));
		}
		session.send(new Envelope(new ServerEvent.Users(users, now)));
	}

}
