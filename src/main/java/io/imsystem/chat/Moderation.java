package io.imsystem.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.imsystem.broker.Broker;
import io.imsystem.broker.Control;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.KickRecord;
import io.imsystem.presence.NameDirectory.Owner;
import io.imsystem.presence.Presence;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.ChatSession;

/**
 * Administrators' actions on a user by name: the owner of the name is found in the name directory,
 * and the action is carried out here when the session is on this node, or sent through the
 * broker's control channel to the node that has it, which confirms it: success is reported only
 * when that node says it was done, within {@link #REPLY_TIMEOUT}; no answer is
 * {@link NodeUnavailableException}, never a false success.
 */
public final class Moderation {

	/** How long the owning node may take to confirm: Redis answers in well under a millisecond. */
	static final Duration REPLY_TIMEOUT = Duration.ofSeconds(1);

	/** Requests sent to other nodes, by id, until their reply comes or the wait ends. */
	private final Map<String, CompletableFuture<Boolean>> pending = new ConcurrentHashMap<>();

	private final Roster roster;

	private final Presence presence;

	private final Broker broker;

	private final ChatService chat;

	private final IdlePolicy policy;

	private final Clock clock;

	public Moderation(Roster roster, Presence presence, Broker broker, ChatService chat, IdlePolicy policy,
			Clock clock) {
		this.roster = roster;
		this.presence = presence;
		this.broker = broker;
		this.chat = chat;
		this.policy = policy;
		this.clock = clock;
		broker.subscribeControl((command) -> {
			if (command instanceof Control.Reply reply) {
				CompletableFuture<Boolean> waiting = this.pending.get(reply.requestId());
				if (waiting != null) {
					waiting.complete(reply.applied());
				}
			}
		});
	}

	/**
	 * Kicks the user with this name.
	 * @return the record of the kick, or {@code null} if nobody has that name
	 */
	public KickRecord kick(String name, String message, String kickedBy) {
		Owner owner = this.roster.owner(name);
		if (owner == null) {
			return null;
		}
		if (isLocal(owner)) {
			ChatSession session = this.roster.find(name);
			return (session != null && session.isLive())
					? this.chat.kick(session, LeaveReason.ADMIN, message, kickedBy) : null;
		}
		Presence.Member member = member(owner);
		if (member == null) {
			return null;
		}
		if (!ask(owner, (request) -> new Control.Kick(owner.node(), owner.sessionId(), LeaveReason.ADMIN, message,
				kickedBy, request))) {
			return null;
		}
		// The node that has the session recorded the kick; this is what it recorded.
		long now = this.clock.millis();
		return new KickRecord(member.name(), member.remoteAddress(), LeaveReason.ADMIN,
				Instant.ofEpochMilli(member.connectedAt()), Instant.ofEpochMilli(member.lastActivityAt()),
				Instant.ofEpochMilli(now), Presence.idleSeconds(member.lastActivityAt(), now), kickedBy, message,
				owner.node());
	}

	/**
	 * Sets ({@code timeout}) or removes ({@code null}) the own idle timeout of the user with this
	 * name. It belongs to the connection, not the name: a reconnect starts on the global one.
	 * @return the user as it was before the change, or {@code null} if nobody has that name
	 * @throws IllegalArgumentException if the policy refuses the timeout
	 */
	public Presence.Member overrideTimeout(String name, Duration timeout) {
		if (timeout != null) {
			this.policy.checkTimeout(timeout);
		}
		Owner owner = this.roster.owner(name);
		Presence.Member before = (owner != null) ? member(owner) : null;
		if (before == null) {
			return null;
		}
		if (isLocal(owner)) {
			ChatSession session = this.roster.find(name);
			if (session == null) {
				return null;
			}
			this.chat.overrideTimeout(session, timeout);
		}
		else if (!ask(owner, (request) -> new Control.SetTimeout(owner.node(), owner.sessionId(), timeout, request))) {
			return null;
		}
		return before;
	}

	/**
	 * Sends a command to the node that owns a session and waits for its answer.
	 * @return whether that node did it (the session was there)
	 * @throws NodeUnavailableException if it did not answer within {@link #REPLY_TIMEOUT}
	 */
	private boolean ask(Owner owner, Function<Control.Request, Control> command) {
		String id = UUID.randomUUID().toString();
		CompletableFuture<Boolean> reply = new CompletableFuture<>();
		this.pending.put(id, reply);
		try {
			long deadline = this.clock.millis() + REPLY_TIMEOUT.toMillis();
			this.broker.control(command.apply(new Control.Request(this.roster.node(), id, deadline)));
			return reply.get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			throw new NodeUnavailableException(owner.node());
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new NodeUnavailableException(owner.node());
		}
		finally {
			this.pending.remove(id);
		}
	}

	/** The live member a name's owner is, or {@code null}. */
	public Presence.Member member(String name) {
		Owner owner = this.roster.owner(name);
		return (owner != null) ? member(owner) : null;
	}

	private Presence.Member member(Owner owner) {
		if (isLocal(owner)) {
			ChatSession session = this.roster.hub().find(owner.sessionId());
			if (session == null || !session.isLive()) {
				return null;
			}
			return Presence.Member.of(session, owner.node(), this.clock.millis());
		}
		return this.presence.member(owner.node(), owner.sessionId(), this.clock.millis());
	}

	private boolean isLocal(Owner owner) {
		return owner.node().equals(this.roster.node());
	}

}
