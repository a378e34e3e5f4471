package io.imsystem.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Control;
import io.imsystem.idle.IdleActions.Expired;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.Presence;
import io.imsystem.presence.PresenceWindow;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;
import io.imsystem.session.Names;
import io.imsystem.session.RateLimiter;

/**
 * Who is in the room: joins, leaves, kicks, shutdown, the idle actions, and the commands the
 * control channel brings for this node's sessions.
 * <p>
 * Every presence change (join, leave, rename) takes its room version and goes into the
 * {@link PresenceWindow} under one lock, {@link #sequence}: the order of the versions is the order
 * of the window, which is the order every session sees (contract version 2: one order, the order
 * they happened). The lock guards only that step, never a write to a client or a name claim.
 */
final class Membership {

	private final Roster roster;

	private final IdlePolicy idlePolicy;

	private final IdleTracker idleTracker;

	private final KickHistory kickHistory;

	private final ChatMetrics metrics;

	private final ChatProperties properties;

	private final Clock clock;

	private final PresenceWindow window;

	private final Presence presence;

	/** A handshake's name is released if its connection has not opened after this long. */
	static final long ABANDONED_AFTER_MILLIS = 30_000;

	/** Names claimed by handshakes whose connection has not opened yet, by session id. */
	private final Map<String, Reservation> reserved = new ConcurrentHashMap<>();

	/** The same, oldest first, until each is old enough to be checked (and freed if still unopened). */
	private final Queue<Reservation> reservedInOrder = new ConcurrentLinkedQueue<>();

	/** Taken around "take a room version, change the roster, add the change to the window". */
	private final Object sequence = new Object();

	private volatile boolean accepting = true;

	Membership(Roster roster, Presence presence, PresenceWindow window, IdlePolicy idlePolicy,
			IdleTracker idleTracker, KickHistory kickHistory, ChatMetrics metrics, ChatProperties properties,
			Clock clock) {
		this.roster = roster;
		this.presence = presence;
		this.window = window;
		this.idlePolicy = idlePolicy;
		this.idleTracker = idleTracker;
		this.kickHistory = kickHistory;
		this.metrics = metrics;
		this.properties = properties;
		this.clock = clock;
	}

	ChatSession join(Connection connection, String requestedName) {
		return join(connection, reserve(requestedName));
	}

	/**
	 * Claims a name for a session to come: the requested one, or a generated one if that is
	 * refused. A failure to reach the name directory propagates, with nothing claimed.
	 */
	Reservation reserve(String requestedName) {
		long now = this.clock.millis();
		releaseAbandoned(now);
		String sessionId = sessionId();
		ServerEvent.Error nameError = null;
		String named = null;
		String claiming = null;
		try {
			if (requestedName != null && !requestedName.isEmpty()) {
				String name = Names.normalize(requestedName);
				if (name == null) {
					nameError = refusal(ErrorCause.INVALID_NAME, "requested name refused: " + Names.RULE, now);
				}
				else if (this.roster.claim(sessionId, claiming = name)) {
					named = name;
				}
				else {
					nameError = refusal(ErrorCause.NAME_TAKEN, "the name " + name + " is taken", now);
				}
			}
			while (named == null) {
				String name = generatedName();
				if (this.roster.claim(sessionId, claiming = name)) {
					named = name;
				}
			}
		}
		catch (RuntimeException ex) {
			// A claim that timed out may still be run by a Redis that was only slow or frozen: the
			// owner-only release, sent after it on the same connection (or again once the link is
			// back), undoes it.
			if (claiming != null) {
				this.roster.release(sessionId, claiming);
			}
			throw ex;
		}
		Reservation reservation = new Reservation(sessionId, requestedName, named, nameError, now);
		this.reserved.put(sessionId, reservation);
		this.reservedInOrder.add(reservation);
		return reservation;
	}

	/** Admits a connection under the name its handshake {@link #reserve reserved}. */
	ChatSession join(Connection connection, Reservation reservation) {
		if (this.reserved.remove(reservation.sessionId()) == null) {
			// Released as abandoned (its connection opened very late): its name may be anyone's now.
			return join(connection, reservation.requestedName());
		}
		long now = this.clock.millis();
		ChatSession session = newSession(reservation.sessionId(), connection, now);
		session.name(reservation.name());
		return admit(session, true, reservation.nameError(), now);
	}

	/** Frees the name of a handshake that did not become a session. */
	void cancel(Reservation reservation) {
		if (this.reserved.remove(reservation.sessionId()) != null) {
			this.roster.release(reservation.sessionId(), reservation.name());
		}
	}

	/**
	 * Frees the names of handshakes whose connection never opened (the client went away while
	 * the 101 was being written, and the container never called the endpoint): the oldest first,
	 * checked at each new reservation.
	 */
	private void releaseAbandoned(long now) {
		Reservation oldest = this.reservedInOrder.peek();
		if (oldest == null || now - oldest.at() < ABANDONED_AFTER_MILLIS) {
			return;
		}
		synchronized (this.reservedInOrder) {
			for (oldest = this.reservedInOrder.peek(); oldest != null
					&& now - oldest.at() >= ABANDONED_AFTER_MILLIS; oldest = this.reservedInOrder.peek()) {
				this.reservedInOrder.poll();
				if (this.reserved.remove(oldest.sessionId(), oldest)) {
					this.roster.release(oldest.sessionId(), oldest.name());
				}
			}
		}
	}

	ChatSession joinAs(Connection connection, String givenName) {
		long now = this.clock.millis();
		ChatSession session = newSession(sessionId(), connection, now);
		return admit(session, this.roster.claim(session, givenName), null, now);
	}

	private ChatSession newSession(String id, Connection connection, long now) {
		ChatProperties.Limits limits = this.properties.limits();
		return new ChatSession(id, connection, now,
				new RateLimiter(limits.messagesPerSecond(), limits.burst(), now));
	}

	private ChatSession admit(ChatSession session, boolean named, ServerEvent.Error nameError, long now) {
		while (!named) {
			named = this.roster.claim(session, generatedName());
		}
		Duration timeout = this.idlePolicy.timeoutFor(session);
		// The warning that really applies to this session, rounded up as idle-warning's secondsLeft is.
		long warningSeconds = (this.idlePolicy.warningFor(timeout).toMillis() + 999) / 1000;
		int elsewhere = elsewhere();
		synchronized (this.sequence) {
			if (session.isEnded()) {
				// Closed while joining, before it was in the room: nobody is told of it, and its
				// leave found nothing to remove (it takes this lock too).
				this.roster.release(session);
				return session;
			}
			long version = this.roster.enter(session);
			int online = this.roster.size() + elsewhere;
			session.hold(new Envelope(
					new ServerEvent.Welcome(session.name(), online, timeout.toSeconds(), warningSeconds, now)));
			if (nameError != null) {
				session.hold(new Envelope(nameError));
			}
			// Its own join is held behind its welcome, never batched; the others get the join from
			// the window, as a change of its version, which a session joined at that version skips.
			session.hold(new Envelope(ServerEvent.Presence.join(session.name(), session.shownAddress(), online, now)));
			session.markJoined(version);
			session.announced(session.name(), version);
			this.window.add(version, PresenceChange.join(session.name(), session.shownAddress()), online);
		}
		// Listed for the other nodes before its welcome goes out, so that whoever it meets next counts it.
		this.roster.list(session);
		// Written only now, outside the lock: no write to a client under it.
		session.release();
		this.idleTracker.track(session);
		this.metrics.sessionOpened();
		if (session.isEnded()) {
			// Ended meanwhile: its leave may have run before it was tracked.
			this.idleTracker.untrack(session);
			return session;
		}
		if (!this.accepting) {
			// Slipped in while shutdown was kicking everyone else.
			kick(session, LeaveReason.SHUTDOWN, CloseCode.GOING_AWAY.reason(), null);
		}
		return session;
	}

	/**
	 * Announces a rename that the roster has made, in its place among the room's presence
	 * changes. A session that left meanwhile has had its leave announced under the name the room
	 * knew ({@link ChatSession#announcedName}): the rename is not announced after it.
	 * @return whether the rename was announced
	 */
	boolean renamed(ChatSession session, String previous) {
		int elsewhere = elsewhere();
		synchronized (this.sequence) {
			if (!this.roster.contains(session)) {
				return false;
			}
			long version = this.roster.hub().advance();
			session.announced(session.name(), version);
			this.window.add(version, PresenceChange.rename(session.name(), previous), this.roster.size() + elsewhere);
			return true;
		}
	}

	/**
	 * Called before a session's chat or private message goes out: if its own join or rename is
	 * still waiting in the presence window, the window closes now, so that nobody reads a message
	 * from a name they have not been told of. It costs at most one frame per session per message,
	 * which the message costs anyway.
	 */
	void beforeSpeaking(ChatSession session) {
		this.window.flushThrough(session.announcedVersion());
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
		// The leaves go out now, not a window later: the node is stopping.
		this.window.flush();
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
		this.roster.updated(session);
	}

	/**
	 * Announces the leaves of users of another node that is gone without announcing them itself
	 * (it died: this node found it so and took over its users), in the room's order like any
	 * change here; the window delivers them to this node's sessions and publishes them to the
	 * other nodes.
	 */
	void leftElsewhere(List<Presence.Member> members, LeaveReason reason) {
		if (members.isEmpty()) {
			return;
		}
		int elsewhere = elsewhere();
		synchronized (this.sequence) {
			for (Presence.Member member : members) {
				this.window.add(this.roster.hub().advance(),
						PresenceChange.leave(member.name(), member.shownAddress(), reason), this.roster.size() + elsewhere);
			}
		}
	}

	/**
	 * Closes sessions whose place in the room is lost: each gets {@code kicked} with reason
	 * {@code error} and the close 1012.
	 * @param announce whether to announce their leaves (reason {@code error}); not when the rest of
	 * the room had them announced already (this node had been declared dead)
	 */
	void drop(Collection<ChatSession> sessions, boolean announce) {
		long now = this.clock.millis();
		List<ChatSession> dropped = new ArrayList<>(sessions.size());
		for (ChatSession session : sessions) {
			if (session.end(LeaveReason.ERROR)) {
				session.send(
						new Envelope(new ServerEvent.Kicked(LeaveReason.ERROR, CloseCode.SERVICE_RESTART.reason(), now)));
				session.connection().close(CloseCode.SERVICE_RESTART);
				dropped.add(session);
			}
		}
		if (announce) {
			leaveTogether(dropped, LeaveReason.ERROR, now);
			return;
		}
		// Every one of them leaves the roster here, also one whose own leave has begun on another
		// thread (its client's close, read as the node resumed): that leave announces only what it
		// removes, under the same lock, so it is either in the window before the flush below (and
		// held back with it) or finds nothing to announce. Before, a fresh-clone CI run saw
		// ClusterNodeDeathIntegrationTests get such a user's quit after the survivors' leave.
		for (ChatSession session : sessions) {
			this.idleTracker.untrack(session);
			boolean removed;
			synchronized (this.sequence) {
				removed = this.roster.remove(session);
			}
			if (removed) {
				this.metrics.sessionLeft(Presence.idleSeconds(session.lastActivityAt(), now));
			}
		}
		// What the dropped sessions did before (a leave waiting in the window) goes to the broker
		// now, while it still holds it back (cluster mode: the node's lease has lapsed).
		this.window.flush();
	}

	/**
	 * The sessions of the other nodes, read before the lock is taken (it may ask Redis); while it
	 * cannot be read, counts say what this node knows.
	 */
	private int elsewhere() {
		try {
			return this.presence.countElsewhere();
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	/**
	 * A command from the control channel for this node.
	 * @return whether it was done: the session was here and live
	 */
	boolean handle(Control command) {
		// Java 17 has no pattern switch; the chain below covers every permitted Control.
		if (command instanceof Control.Kick kick) {
			ChatSession session = this.roster.hub().find(kick.sessionId());
			return session != null && kick(session, kick.reason(), kick.message(), kick.kickedBy()) != null;
		}
		else if (command instanceof Control.SetTimeout timeout) {
			ChatSession session = this.roster.hub().find(timeout.sessionId());
			if (session == null || !session.isLive()) {
				return false;
			}
			overrideTimeout(session, timeout.timeout());
			return true;
		}
		else if (command instanceof Control.SettingsChanged || command instanceof Control.Reply) {
			// The idle tracker compares the policy's version at every sweep; replies go to
			// whoever asked (Moderation).
			return false;
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
		leaveTogether(List.of(session), reason, now);
	}

	/**
	 * Takes sessions out of the idle tracker and the roster, and adds their leaves to the window:
	 * the one way out of the roster. One turn of {@link #sequence} for all of them (an idle sweep,
	 * shutdown), each leave with its own version.
	 */
	private void leaveTogether(List<ChatSession> sessions, LeaveReason reason, long now) {
		for (ChatSession session : sessions) {
			this.idleTracker.untrack(session);
		}
		List<ChatSession> removed = new ArrayList<>(sessions.size());
		int elsewhere = elsewhere();
		synchronized (this.sequence) {
			for (ChatSession session : sessions) {
				if (this.roster.remove(session)) {
					removed.add(session);
					this.window.add(this.roster.hub().advance(),
							PresenceChange.leave(session.announcedName(), session.shownAddress(), reason),
							this.roster.size() + elsewhere);
				}
			}
		}
		for (ChatSession session : removed) {
			this.metrics.sessionLeft(Presence.idleSeconds(session.lastActivityAt(), now));
		}
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
