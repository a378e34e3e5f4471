package io.imsystem.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Broker;
import io.imsystem.broker.Control;
import io.imsystem.broker.RoomEvent;
import io.imsystem.idle.IdleActions.Expired;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.Presence;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;
import io.imsystem.session.Names;
import io.imsystem.session.RateLimiter;

/**
 * Who is in the room: joins, leaves, kicks, shutdown, the idle actions, and the commands the
 * control channel brings for this node's sessions. Every presence event goes out through
 * {@link #announce}.
 */
final class Membership {

	private final Roster roster;

	private final Broker broker;

	private final IdlePolicy idlePolicy;

	private final IdleTracker idleTracker;

	private final KickHistory kickHistory;

	private final ChatMetrics metrics;

	private final ChatProperties properties;

	private final Clock clock;

	private volatile boolean accepting = true;

	Membership(Roster roster, Broker broker, IdlePolicy idlePolicy, IdleTracker idleTracker, KickHistory kickHistory,
			ChatMetrics metrics, ChatProperties properties, Clock clock) {
		this.roster = roster;
		this.broker = broker;
		this.idlePolicy = idlePolicy;
		this.idleTracker = idleTracker;
		this.kickHistory = kickHistory;
		this.metrics = metrics;
		this.properties = properties;
		this.clock = clock;
	}

	ChatSession join(Connection connection, String requestedName) {
		long now = this.clock.millis();
		ChatSession session = newSession(connection, now);
		ServerEvent.Error nameError = null;
		long version = 0;
		if (requestedName != null && !requestedName.isEmpty()) {
			String name = Names.normalize(requestedName);
			if (name == null) {
				nameError = refusal(ErrorCause.INVALID_NAME, "requested name refused: " + Names.RULE, now);
			}
			else if ((version = this.roster.add(session, name)) == 0) {
				nameError = refusal(ErrorCause.NAME_TAKEN, "the name " + name + " is taken", now);
			}
		}
		return admit(session, version, nameError, now);
	}

	ChatSession joinAs(Connection connection, String givenName) {
		long now = this.clock.millis();
		ChatSession session = newSession(connection, now);
		return admit(session, this.roster.add(session, givenName), null, now);
	}

	private ChatSession newSession(Connection connection, long now) {
		ChatProperties.Limits limits = this.properties.limits();
		return new ChatSession(sessionId(), connection, now,
				new RateLimiter(limits.messagesPerSecond(), limits.burst(), now));
	}

	private ChatSession admit(ChatSession session, long version, ServerEvent.Error nameError, long now) {
		while (version == 0) {
			version = this.roster.add(session, generatedName());
		}
		int online = this.roster.size();
		Duration timeout = this.idlePolicy.timeoutFor(session);
		// The warning that really applies to this session, rounded up as idle-warning's secondsLeft is.
		long warningMillis = this.idlePolicy.warningFor(timeout).toMillis();
		ServerEvent.Welcome welcome = new ServerEvent.Welcome(session.name(), online, timeout.toSeconds(),
				(warningMillis + 999) / 1000, now);
		session.hold(new Envelope(welcome));
		if (nameError != null) {
			session.hold(new Envelope(nameError));
		}
		Envelope joined = new Envelope(ServerEvent.Presence.join(session.name(), session.shownAddress(), online, now));
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
		// As of its admission: sessions admitted after it had it in their welcome's count.
		announce(joined, session, online, version);
		if (!this.accepting) {
			// Slipped in while shutdown was kicking everyone else.
			kick(session, LeaveReason.SHUTDOWN, CloseCode.GOING_AWAY.reason(), null);
		}
		return session;
	}

	/**
	 * Sends a presence event (join, leave, rename) to the room: the one place they go out, one
	 * frame per change, so that coalescing them can be slotted in here.
	 * @param except the session that has its own copy already, or {@code null}
	 * @param online the count the event carries; above {@code chat.presence} limits nothing goes out
	 * @param asOf the hub's room version when the change happened: sessions admitted later do not get it
	 */
	void announce(Envelope presence, ChatSession except, int online, long asOf) {
		if (this.properties.presence().broadcasts(online)) {
			this.broker.publish(
					new RoomEvent(presence, (except != null) ? except.id() : null, null, this.roster.node(), asOf));
		}
	}

	void closed(ChatSession session, LeaveReason reason) {
		if (session.end(reason)) {
			leave(session, reason, this.clock.millis());
		}
	}

	void abort(ChatSession session, CloseCode code) {
		if (session.end(LeaveReason.ERROR)) {
			session.connection().abort(code);
			leave(session, LeaveReason.ERROR, this.clock.millis());
		}
	}

	KickRecord kick(ChatSession session, LeaveReason reason, String message, String kickedBy) {
		long now = this.clock.millis();
		KickRecord kick = evict(session, reason, message, kickedBy, now);
		if (kick != null) {
			leave(session, reason, now);
		}
		return kick;
	}

	void warn(ChatSession session, long secondsLeft) {
		session.send(new Envelope(new ServerEvent.IdleWarning(secondsLeft, this.clock.millis())));
	}

	void expire(List<Expired> expired, long now) {
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
	 * Stops admitting sessions and kicks every session with reason {@code shutdown}. The leaves
	 * are still published: users connected to other nodes stay and must be told. This node's own
	 * hub skips them (see {@code Hub#closing}): every one of its sessions is going.
	 */
	CompletableFuture<Void> shutdown() {
		this.accepting = false;
		this.roster.hub().closing(true);
		long now = this.clock.millis();
		List<ChatSession> gone = new ArrayList<>();
		List<CompletableFuture<Void>> closes = new ArrayList<>();
		for (ChatSession session : this.roster.sessions()) {
			if (evict(session, LeaveReason.SHUTDOWN, CloseCode.GOING_AWAY.reason(), null, now) != null) {
				gone.add(session);
				closes.add(session.connection().closed());
			}
		}
		leaveTogether(gone, LeaveReason.SHUTDOWN, now);
		return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new));
	}

	void resume() {
		this.roster.hub().closing(false);
		this.accepting = true;
	}

	boolean isAccepting() {
		return this.accepting;
	}

	void overrideTimeout(ChatSession session, Duration timeout) {
		if (timeout != null) {
			this.idlePolicy.checkTimeout(timeout);
		}
		session.timeoutOverride(timeout);
		this.idleTracker.reschedule(session);
	}

	/** A command from the control channel for this node. */
	void handle(Control command) {
		// Java 17 has no pattern switch; the chain below covers every permitted Control.
		if (command instanceof Control.Kick kick) {
			ChatSession session = this.roster.hub().find(kick.sessionId());
			if (session != null) {
				kick(session, kick.reason(), kick.message(), kick.kickedBy());
			}
		}
		else if (command instanceof Control.SetTimeout timeout) {
			ChatSession session = this.roster.hub().find(timeout.sessionId());
			if (session != null) {
				overrideTimeout(session, timeout.timeout());
			}
		}
		else if (command instanceof Control.SettingsChanged) {
			// The idle tracker compares the policy's version at every sweep: nothing to do here.
			return;
		}
		else {
			throw new IllegalStateException("no handling for " + command);
		}
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
				Presence.idleSeconds(lastActivity, now), kickedBy, message, this.roster.node());
		this.kickHistory.record(kick);
		this.metrics.kicked(reason);
		return kick;
	}

	private void leave(ChatSession session, LeaveReason reason, long now) {
		if (remove(session, now)) {
			long asOf = this.roster.hub().stamp();
			int online = this.roster.size();
			announce(new Envelope(ServerEvent.Presence.leave(session.name(), session.shownAddress(), reason, online, now)),
					null, online, asOf);
		}
	}

	/**
	 * Announces many leaves at once. All are removed first, so that each leave goes only to the
	 * sessions that stay, and {@code online} counts down as if they had left one by one.
	 */
	private void leaveTogether(List<ChatSession> sessions, LeaveReason reason, long now) {
		List<ChatSession> removed = new ArrayList<>(sessions.size());
		long[] asOf = new long[sessions.size()];
		for (ChatSession session : sessions) {
			if (remove(session, now)) {
				asOf[removed.size()] = this.roster.hub().stamp();
				removed.add(session);
			}
		}
		int online = this.roster.size() + removed.size();
		for (int i = 0; i < removed.size(); i++) {
			ChatSession session = removed.get(i);
			online--;
			announce(new Envelope(ServerEvent.Presence.leave(session.name(), session.shownAddress(), reason, online, now)),
					null, online, asOf[i]);
		}
	}

	/**
	 * Takes a session out of the idle tracker and the roster; the one way out of the roster.
	 * @return whether it was in the roster
	 */
	private boolean remove(ChatSession session, long now) {
		this.idleTracker.untrack(session);
		if (!this.roster.remove(session)) {
			return false;
		}
		this.metrics.sessionLeft(Presence.idleSeconds(session.lastActivityAt(), now));
		return true;
	}

	void error(ChatSession session, ErrorCause cause, String message, long now) {
		session.send(new Envelope(refusal(cause, message, now)));
	}

	/** Every error event a client gets is made here, so that each is counted in {@code chat.errors}. */
	ServerEvent.Error refusal(ErrorCause cause, String message, long now) {
		this.metrics.error(cause.code());
		return new ServerEvent.Error(cause, message, now);
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
