package io.imsystem.chat;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Broker;
import io.imsystem.broker.Control;
import io.imsystem.command.CommandParser;
import io.imsystem.idle.IdleActions;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.Presence;
import io.imsystem.presence.PresenceWindow;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;

/**
 * One node of the room, composed the way centrifuge composes its Node: the {@link Roster} (the
 * hub of this node's sessions and the name directory), the {@link Broker} that carries room
 * events and control commands, {@link Membership} (who is in the room) and {@link RoomCommands}
 * (what their frames do). Transports hand it connections and frames; it never touches a socket
 * itself. It subscribes the membership to the broker's control commands; the configuration
 * subscribes the hub to its room events ({@link ChatConfiguration#deliverTo}).
 */
public class ChatService implements IdleActions {

	private final Membership membership;

	private final RoomCommands room;

	private final Broker broker;

	private final Clock clock;

	public ChatService(Roster roster, Presence presence, Broker broker, PresenceWindow window, CommandParser parser,
			IdlePolicy idlePolicy, IdleTracker idleTracker, KickHistory kickHistory, ChatMetrics metrics,
			ChatProperties properties, Clock clock) {
		this.membership = new Membership(roster, presence, window, idlePolicy, idleTracker, kickHistory, metrics, properties,
				clock);
		this.room = new RoomCommands(this.membership, roster, presence, broker, parser, metrics, clock);
		broker.subscribeControl((command) -> {
			Control.Request request = command.request();
			if (request != null && clock.millis() > request.deadline()) {
				// Whoever asked has been told it was not done (this node was frozen meanwhile).
				return;
			}
			boolean applied = this.membership.handle(command);
			if (request != null) {
				broker.control(new Control.Reply(request.replyTo(), request.id(), applied));
			}
		});
		this.broker = broker;
		this.clock = clock;
	}

	/**
	 * Admits a new connection: {@code welcome}, then an {@code error} if the requested name was
	 * refused, then its own {@code presence} join, which everyone else gets too.
	 * @param requestedName the name the client asked for, or {@code null} or empty for none
	 */
	public ChatSession join(Connection connection, String requestedName) {
		return this.membership.join(connection, requestedName);
	}

	/**
	 * Claims the name of a session to come, before its handshake is answered: the requested name,
	 * or a generated one (with the {@code error} for the refused request, sent after its welcome).
	 * The connection is then admitted with {@link #join(Connection, Reservation)}, or the claim
	 * given back with {@link #cancel}; a claim whose connection never opens is freed after
	 * {@value Membership#ABANDONED_AFTER_MILLIS} ms.
	 * @param requestedName the name the client asked for, or {@code null} or empty for none
	 * @throws io.imsystem.presence.StoreUnavailableException if the name directory cannot be reached
	 * (cluster mode, Redis away): nothing was claimed
	 */
	public Reservation reserve(String requestedName) {
		return this.membership.reserve(requestedName);
	}

	/** Admits a new connection under the name its handshake {@link #reserve reserved}, as {@link #join}. */
	public ChatSession join(Connection connection, Reservation reservation) {
		return this.membership.join(connection, reservation);
	}

	/** Gives back the name of a handshake that did not become a session. */
	public void cancel(Reservation reservation) {
		this.membership.cancel(reservation);
	}

	/**
	 * Admits a new connection under a name the server gave it, exempt from the name rules: users of
	 * the line-protocol TCP gateway are named after their address, as in the original system. If
	 * that name is taken, the session gets a generated one. The order of events is as for
	 * {@link #join}.
	 */
	public ChatSession joinAs(Connection connection, String givenName) {
		return this.membership.joinAs(connection, givenName);
	}

	/** Handles one text frame from a session. */
	public void receive(ChatSession session, String frame) {
		this.room.receive(session, frame);
	}

	/**
	 * Handles one of several frames that arrived together (a line user's read): a chat waits in
	 * {@code run} for the session's next ones, and they go out together at the latest with
	 * {@link #flush}, which the caller makes when the frames that came together are handled.
	 */
	public void receive(ChatSession session, String frame, ChatRun run) {
		this.room.receive(session, frame, run);
	}

	/** Sends the chats waiting in {@code run}. */
	public void flush(ChatRun run) {
		this.room.flush(run);
	}

	/** The transport closed: the client left, or its connection dropped or broke the protocol. */
	public void closed(ChatSession session, LeaveReason reason) {
		this.membership.closed(session, reason);
	}

	/**
	 * Ends a session that broke a transport rule (binary frame, message too large): its close
	 * frame goes out and the connection is dropped without waiting for the client's answer, which
	 * may still be sending the rest of the offending frame.
	 */
	public void reject(ChatSession session, CloseCode code) {
		this.membership.abort(session, code);
	}

	/** Drops a session whose peer stopped answering heartbeats, without waiting on its socket. */
	public void lost(ChatSession session) {
		this.membership.abort(session, CloseCode.NO_PONG);
	}

	/**
	 * Kicks a session: it gets a {@code kicked} event, then the close for the reason (a client too
	 * slow to read gets only the close). The kick is recorded in the history.
	 * @param message the text of the {@code kicked} event
	 * @param kickedBy the administrator who kicked, or {@code null} for the server
	 * @return the record of the kick, or {@code null} if the session had already left
	 */
	public KickRecord kick(ChatSession session, LeaveReason reason, String message, String kickedBy) {
		return this.membership.kick(session, reason, message, kickedBy);
	}

	/**
	 * Kicks a session whose client does not read fast enough, whatever its transport: it gets only
	 * the close ({@code too slow}), since the events it cannot read would only pile up more.
	 */
	public void tooSlow(ChatSession session) {
		this.membership.kick(session, LeaveReason.SLOW, CloseCode.TOO_SLOW.reason(), null);
	}

	@Override
	public void warn(ChatSession session, long secondsLeft) {
		this.membership.warn(session, secondsLeft);
	}

	@Override
	public void expire(List<Expired> expired, long now) {
		this.membership.expire(expired, now);
	}

	/**
	 * Stops admitting sessions and kicks every session with reason {@code shutdown}.
	 * @return completes when every kicked session's close frame is out
	 */
	public CompletableFuture<Void> shutdown() {
		return this.membership.shutdown();
	}

	/**
	 * Admits sessions again after {@link #shutdown}: a stopped context can be started again (the
	 * test framework pauses cached contexts that way).
	 */
	public void resume() {
		this.membership.resume();
	}

	/**
	 * Whether the room reaches every node now (always, for one node): while it does not, a new
	 * session is refused (503) rather than admitted to a part of the room.
	 */
	public boolean isLinked() {
		return this.broker.linkUp();
	}

	/** Whether new sessions are admitted: {@code false} once shutdown has begun. */
	public boolean isAccepting() {
		return this.membership.isAccepting();
	}

	/** Sets or, with {@code null}, removes a session's own idle timeout; applies at the next sweep. */
	public void overrideTimeout(ChatSession session, Duration timeout) {
		this.membership.overrideTimeout(session, timeout);
	}

	/**
	 * Announces, once, the leaves of users of another node that died (cluster mode: this node
	 * reaped it), with reason {@code error}, to this node's sessions and the other nodes.
	 */
	public void leftElsewhere(List<Presence.Member> members) {
		this.membership.leftElsewhere(members, LeaveReason.ERROR);
	}

	/**
	 * Closes sessions of this node that the room no longer knows ({@code kicked} reason
	 * {@code error}, close 1012) without announcing their leaves again: cluster mode, after this
	 * node found itself declared dead (another node announced them).
	 */
	public void dropStale(Collection<ChatSession> sessions) {
		this.membership.drop(sessions, false);
	}

	/**
	 * Closes sessions of this node that lost their names ({@code kicked} reason {@code error},
	 * close 1012) and announces their leaves: cluster mode, a name another node's user took while
	 * Redis had lost this node's names.
	 */
	public void dropNameless(Collection<ChatSession> sessions) {
		this.membership.drop(sessions, true);
	}

	/**
	 * Sends a session the error for something a transport refused itself (the gateway's line over
	 * its limit), made and counted as every other error.
	 */
	public void refuse(ChatSession session, ErrorCause cause, String message) {
		this.membership.error(session, cause, message, this.clock.millis());
	}

}
