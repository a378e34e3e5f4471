package io.imsystem.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Broker;
import io.imsystem.command.Command;
import io.imsystem.command.CommandParser;
import io.imsystem.idle.IdleActions;
import io.imsystem.idle.IdleActions.Expired;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.protocol.ServerEvent.Presence;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;
import io.imsystem.session.Names;
import io.imsystem.session.RateLimiter;
import io.imsystem.session.SessionRegistry;

import org.springframework.stereotype.Service;

/**
 * The room: who joins, what their commands do, and how they leave. Transports hand it connections
 * and frames; it never touches a socket itself.
 */
@Service
public class ChatService implements IdleActions {

	private final SessionRegistry registry;

	private final Broker broker;

	private final CommandParser parser;

	private final IdlePolicy idlePolicy;

	private final IdleTracker idleTracker;

	private final KickHistory kickHistory;

	private final ChatMetrics metrics;

	private final ChatProperties properties;

	private final Clock clock;

	/**
	 * Counts the changes of who is in the room (joins, leaves, renames). A session remembers the
	 * version of its join, and an event reaches only sessions that had joined by the version it
	 * was made at: a broadcast whose thread runs late cannot show a newcomer a join, leave or
	 * message from before its welcome.
	 */
	private final AtomicLong roomVersion = new AtomicLong();

	private volatile boolean accepting = true;

	ChatService(SessionRegistry registry, Broker broker, CommandParser parser, IdlePolicy idlePolicy,
			IdleTracker idleTracker, KickHistory kickHistory, ChatMetrics metrics, ChatProperties properties,
			Clock clock) {
		this.registry = registry;
		this.broker = broker;
		this.parser = parser;
		this.idlePolicy = idlePolicy;
		this.idleTracker = idleTracker;
		this.kickHistory = kickHistory;
		this.metrics = metrics;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Admits a new connection: {@code welcome}, then an {@code error} if the requested name was
	 * refused, then its own {@code presence} join, which everyone else gets too.
	 * @param requestedName the name the client asked for, or {@code null} or empty for none
	 */
	public ChatSession join(Connection connection, String requestedName) {
		long now = this.clock.millis();
		ChatSession session = newSession(connection, now);
		ServerEvent.Error nameError = null;
		boolean named = false;
		if (requestedName != null && !requestedName.isEmpty()) {
			String name = Names.normalize(requestedName);
			if (name == null) {
				nameError = refusal(ErrorCause.INVALID_NAME, "requested name refused: " + Names.RULE, now);
			}
			else if (!(named = this.registry.add(session, name))) {
				nameError = refusal(ErrorCause.NAME_TAKEN, "the name " + name + " is taken", now);
			}
		}
		return admit(session, named, nameError, now);
	}

	/**
	 * Admits a new connection under a name the server gave it, exempt from the name rules: users of
	 * the line-protocol TCP gateway are named after their address, as in the original system. If
	 * that name is taken, the session gets a generated one. The order of events is as for
	 * {@link #join}.
	 */
	public ChatSession joinAs(Connection connection, String givenName) {
		long now = this.clock.millis();
		ChatSession session = newSession(connection, now);
		return admit(session, this.registry.add(session, givenName), null, now);
	}

	private ChatSession newSession(Connection connection, long now) {
		ChatProperties.Limits limits = this.properties.limits();
		return new ChatSession(sessionId(), connection, now,
				new RateLimiter(limits.messagesPerSecond(), limits.burst(), now));
	}

	private ChatSession admit(ChatSession session, boolean named, ServerEvent.Error nameError, long now) {
		while (!named) {
			named = this.registry.add(session, generatedName());
		}
		long version = this.roomVersion.incrementAndGet();
		int online = this.registry.size();
		Duration timeout = this.idlePolicy.timeoutFor(session);
		// The warning that really applies to this session, rounded up as idle-warning's secondsLeft is.
		long warningMillis = this.idlePolicy.warningFor(timeout).toMillis();
		ServerEvent.Welcome welcome = new ServerEvent.Welcome(session.name(), online, timeout.toSeconds(),
				(warningMillis + 999) / 1000, now);
		session.hold(new Envelope(welcome));
		if (nameError != null) {
			session.hold(new Envelope(nameError));
		}
		Envelope joined = new Envelope(Presence.join(session.name(), session.shownAddress(), online, now));
		// Its own join is queued first, then it joins the broadcasts, and only then is anything
		// written: no broadcast can come before its join, and none can miss it once the client
		// has seen the join (a client that then connects someone else sees that join).
		session.hold(joined);
		session.markJoined(version);
		this.idleTracker.track(session);
		this.metrics.sessionOpened();
		if (session.isEnded()) {
			// Kicked while joining: its leave ran before it was tracked, and announcing it now
			// would show the others a user who is gone.
			this.idleTracker.untrack(session);
			return session;
		}
		if (this.properties.presence().broadcasts(online)) {
			this.broker.broadcast(joined, session, version);
		}
		if (!this.accepting) {
			// Slipped in while shutdown was kicking everyone else.
			kick(session, LeaveReason.SHUTDOWN, CloseCode.GOING_AWAY.reason(), null);
		}
		return session;
	}

	/** Handles one text frame from a session. */
	public void receive(ChatSession session, String frame) {
		long now = this.clock.millis();
		Command command = this.parser.parse(frame);
		if (command.isActivity()) {
			session.touch(now);
		}
		RateLimiter limiter = session.rateLimiter();
		if (!limiter.tryAcquire(now)) {
			if (limiter.shouldReportDrop(now)) {
				error(session, ErrorCause.RATE_LIMITED, "too many messages: this one and others were dropped", now);
			}
			return;
		}
		// Java 17 has no pattern switch; the chain below covers every permitted Command.
		if (command instanceof Command.Chat chat) {
			this.metrics.chatMessage();
			this.broker.broadcast(
					new Envelope(new ServerEvent.Chat(session.name(), chat.text(), now, session.shownAddress())), null,
					this.roomVersion.get());
		}
		else if (command instanceof Command.Private message) {
			whisper(session, message, now);
		}
		else if (command instanceof Command.Rename rename) {
			rename(session, rename.name(), now);
		}
		else if (command instanceof Command.Who) {
			session.send(new Envelope(new ServerEvent.Users(users(now), now)));
		}
		else if (command instanceof Command.Ping) {
			session.send(new Envelope(new ServerEvent.Pong(now)));
		}
		else if (command instanceof Command.Invalid invalid) {
			error(session, invalid.cause(), invalid.message(), now);
		}
		else {
			throw new IllegalStateException("no handling for " + command);
		}
	}

	private void whisper(ChatSession sender, Command.Private message, long now) {
		ChatSession target = this.registry.find(message.to());
		if (target == null || !target.isLive()) {
			error(sender, ErrorCause.UNKNOWN_USER, "no user named " + message.to(), now);
			return;
		}
		this.metrics.privateMessage();
		Envelope envelope = new Envelope(new ServerEvent.Private(sender.name(), target.name(), message.text(), now));
		target.send(envelope);
		if (target != sender) {
			sender.send(envelope);
		}
	}

	private void rename(ChatSession session, String name, long now) {
		String previous = this.registry.rename(session, name);
		if (previous == null) {
			error(session, ErrorCause.NAME_TAKEN, "the name " + name + " is taken", now);
			return;
		}
		long version = this.roomVersion.incrementAndGet();
		session.send(new Envelope(new ServerEvent.Renamed(name, previous, now)));
		int online = this.registry.size();
		if (this.properties.presence().broadcasts(online)) {
			this.broker.broadcast(new Envelope(Presence.rename(name, previous, online, now)), null, version);
		}
	}

	private List<ServerEvent.Users.User> users(long now) {
		List<ServerEvent.Users.User> users = new ArrayList<>();
		for (ChatSession session : this.registry.sessions()) {
			if (session.isLive()) {
				users.add(new ServerEvent.Users.User(session.name(), session.connectedAt(),
						idleSeconds(session.lastActivityAt(), now), session.shownAddress()));
			}
		}
		return users;
	}

	/** The transport closed: the client left, or its connection dropped or broke the protocol. */
	public void closed(ChatSession session, LeaveReason reason) {
		if (session.end(reason)) {
			leave(session, reason, this.clock.millis());
		}
	}

	/**
	 * Ends a session that broke a transport rule (binary frame, message too large): its close
	 * frame goes out and the connection is dropped without waiting for the client's answer, which
	 * may still be sending the rest of the offending frame.
	 */
	public void reject(ChatSession session, CloseCode code) {
		if (session.end(LeaveReason.ERROR)) {
			session.connection().abort(code);
			leave(session, LeaveReason.ERROR, this.clock.millis());
		}
	}

	/** Drops a session whose peer stopped answering heartbeats, without waiting on its socket. */
	public void lost(ChatSession session) {
		if (session.end(LeaveReason.ERROR)) {
			session.connection().abort(CloseCode.NO_PONG);
			leave(session, LeaveReason.ERROR, this.clock.millis());
		}
	}

	/**
	 * Kicks a session: it gets a {@code kicked} event, then the close for the reason (a client too
	 * slow to read gets only the close). The kick is recorded in the history.
	 * @param message the text of the {@code kicked} event
	 * @param kickedBy the administrator who kicked, or {@code null} for the server
	 * @return the record of the kick, or {@code null} if the session had already left
	 */
	public KickRecord kick(ChatSession session, LeaveReason reason, String message, String kickedBy) {
		long now = this.clock.millis();
		KickRecord kick = evict(session, reason, message, kickedBy, now);
		if (kick != null) {
			leave(session, reason, now);
		}
		return kick;
	}

	@Override
	public void warn(ChatSession session, long secondsLeft) {
		session.send(new Envelope(new ServerEvent.IdleWarning(secondsLeft, this.clock.millis())));
	}

	@Override
	public void expire(List<Expired> expired, long now) {
		List<ChatSession> gone = new ArrayList<>(expired.size());
		for (Expired due : expired) {
			if (evict(due.session(), LeaveReason.IDLE, this.properties.idle().kickMessage(), null, now) != null) {
				this.metrics.kickLag(now - due.deadline());
				gone.add(due.session());
			}
		}
		leaveTogether(gone, LeaveReason.IDLE, now);
	}

	/**
	 * Stops admitting sessions and kicks every session with reason {@code shutdown}.
	 * @return completes when every kicked session's close frame is out
	 */
	public CompletableFuture<Void> shutdown() {
		this.accepting = false;
		long now = this.clock.millis();
		List<ChatSession> gone = new ArrayList<>();
		List<CompletableFuture<Void>> closes = new ArrayList<>();
		for (ChatSession session : this.registry.sessions()) {
			if (evict(session, LeaveReason.SHUTDOWN, CloseCode.GOING_AWAY.reason(), null, now) != null) {
				gone.add(session);
				closes.add(session.connection().closed());
			}
		}
		leaveTogether(gone, LeaveReason.SHUTDOWN, now);
		return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new));
	}

	/**
	 * Admits sessions again after {@link #shutdown}: a stopped context can be started again (the
	 * test framework pauses cached contexts that way).
	 */
	public void resume() {
		this.accepting = true;
	}

	/** Whether new sessions are admitted: {@code false} once shutdown has begun. */
	public boolean isAccepting() {
		return this.accepting;
	}

	/** Sets or, with {@code null}, removes a session's own idle timeout; applies at the next sweep. */
	public void overrideTimeout(ChatSession session, Duration timeout) {
		if (timeout != null) {
			this.idlePolicy.checkTimeout(timeout);
		}
		session.timeoutOverride(timeout);
		this.idleTracker.reschedule(session);
	}

	/** Ends a session with a kick, without announcing its leave yet. */
	private KickRecord evict(ChatSession session, LeaveReason reason, String message, String kickedBy, long now) {
		if (!session.end(reason)) {
			return null;
		}
		if (reason == LeaveReason.SLOW) {
			session.connection().abort(CloseCode.TOO_SLOW);
		}
		else {
			session.send(new Envelope(new ServerEvent.Kicked(reason, message, now)));
			session.connection().close(CloseCode.forKick(reason));
		}
		long lastActivity = session.lastActivityAt();
		KickRecord kick = new KickRecord(session.name(), session.remoteAddress(), reason,
				Instant.ofEpochMilli(session.connectedAt()), Instant.ofEpochMilli(lastActivity), Instant.ofEpochMilli(now),
				idleSeconds(lastActivity, now), kickedBy, message, this.properties.cluster().nodeId());
		this.kickHistory.record(kick);
		this.metrics.kicked(reason);
		return kick;
	}

	private void leave(ChatSession session, LeaveReason reason, long now) {
		long version = remove(session, now);
		if (version != 0 && this.accepting) {
			int online = this.registry.size();
			if (this.properties.presence().broadcasts(online)) {
				this.broker.broadcast(
						new Envelope(Presence.leave(session.name(), session.shownAddress(), reason, online, now)), null,
						version);
			}
		}
	}

	/**
	 * Announces many leaves at once. All are removed first, so that each leave goes only to the
	 * sessions that stay, and {@code online} counts down as if they had left one by one.
	 */
	private void leaveTogether(List<ChatSession> sessions, LeaveReason reason, long now) {
		List<ChatSession> removed = new ArrayList<>(sessions.size());
		long[] versions = new long[sessions.size()];
		for (ChatSession session : sessions) {
			long version = remove(session, now);
			if (version != 0) {
				versions[removed.size()] = version;
				removed.add(session);
			}
		}
		if (!this.accepting) {
			// Shutting down: nobody stays to be told.
			return;
		}
		int online = this.registry.size() + removed.size();
		for (int i = 0; i < removed.size(); i++) {
			ChatSession session = removed.get(i);
			online--;
			if (this.properties.presence().broadcasts(online)) {
				this.broker.broadcast(
						new Envelope(Presence.leave(session.name(), session.shownAddress(), reason, online, now)), null,
						versions[i]);
			}
		}
	}

	/**
	 * Takes a session out of the idle tracker and the registry; the one way out of the registry.
	 * @return the room version of its leave, or 0 if it was not in the registry
	 */
	private long remove(ChatSession session, long now) {
		this.idleTracker.untrack(session);
		if (!this.registry.remove(session)) {
			return 0;
		}
		long version = this.roomVersion.incrementAndGet();
		this.metrics.sessionLeft(idleSeconds(session.lastActivityAt(), now));
		return version;
	}

	/**
	 * Sends a session the error for something a transport refused itself (the gateway's line over
	 * its limit), made and counted as every other error.
	 */
	public void refuse(ChatSession session, ErrorCause cause, String message) {
		error(session, cause, message, this.clock.millis());
	}

	private void error(ChatSession session, ErrorCause cause, String message, long now) {
		session.send(new Envelope(refusal(cause, message, now)));
	}

	/** Every error event a client gets is made here, so that each is counted in {@code chat.errors}. */
	private ServerEvent.Error refusal(ErrorCause cause, String message, long now) {
		this.metrics.error(cause.code());
		return new ServerEvent.Error(cause, message, now);
	}

	private static long idleSeconds(long lastActivity, long now) {
		return Math.max(0, (now - lastActivity) / 1000);
	}

	/**
	 * A random id without {@code UUID.randomUUID()}: its one shared {@code SecureRandom} is a lock
	 * that a storm of handshakes queues on for seconds (profiled in docs/benchmarks.md). The id is
	 * internal and needs uniqueness, not secrecy.
	 */
	private static String sessionId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return new UUID(random.nextLong(), random.nextLong()).toString();
	}

	private static String generatedName() {
		return "user-%06x".formatted(ThreadLocalRandom.current().nextInt(1 << 24));
	}

}
