package io.imsystem.session;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.LeaveReason;

/**
 * One connected client, on any transport. Its name changes only through
 * the room ({@code chat.Roster}); it ends exactly once, through {@link #end}.
 */
public final class ChatSession {

	private final String id;

	private final Connection connection;

	private final long connectedAt;

	private final RateLimiter rateLimiter;

	private final AtomicReference<LeaveReason> endReason = new AtomicReference<>();

	private volatile String name;

	private volatile String announcedName;

	private volatile long announcedVersion;

	private volatile long lastActivityAt;

	private volatile Duration timeoutOverride;

	private volatile boolean joined;

	/** The room version at which this session joined; see {@link #markJoined(long)}. */
	private volatile long joinVersion;

	public ChatSession(String id, Connection connection, long connectedAt, RateLimiter rateLimiter) {
		this.id = id;
		this.connection = connection;
		this.connectedAt = connectedAt;
		this.lastActivityAt = connectedAt;
		this.rateLimiter = rateLimiter;
	}

	public String id() {
		return this.id;
	}

	public String name() {
		return this.name;
	}

	/** Set by the room once the name directory granted it (see {@code chat.Roster}). */
	public void name(String name) {
		this.name = name;
	}

	/**
	 * The name the room was last told of (by its join or its last announced rename): its leave
	 * goes out under it, so that a leave racing a rename names the user the others know.
	 */
	public String announcedName() {
		return this.announcedName;
	}

	/** The room version of the session's last presence change (its join or its last rename). */
	public long announcedVersion() {
		return this.announcedVersion;
	}

	/** Records a presence change of the session: the name the room is told of, at that version. */
	public void announced(String name, long version) {
		this.announcedName = name;
		this.announcedVersion = version;
	}

	public String remoteAddress() {
		return this.connection.remoteAddress();
	}

	/** The address other users may see, or {@code null}: see {@link Connection#shownAddress()}. */
	public String shownAddress() {
		return this.connection.shownAddress();
	}

	public Connection connection() {
		return this.connection;
	}

	public long connectedAt() {
		return this.connectedAt;
	}

	public long lastActivityAt() {
		return this.lastActivityAt;
	}

	/** Records user activity: it starts a new idle stretch. */
	public void touch(long nowMillis) {
		this.lastActivityAt = nowMillis;
	}

	/** This session's own idle timeout, or {@code null} to follow the global one. */
	public Duration timeoutOverride() {
		return this.timeoutOverride;
	}

	public void timeoutOverride(Duration timeout) {
		this.timeoutOverride = timeout;
	}

	public RateLimiter rateLimiter() {
		return this.rateLimiter;
	}

	/**
	 * Marks the session as joined: from now on it receives broadcasts and presence changes of a
	 * version greater than {@code version}. What it {@link #hold held} (its welcome and its own
	 * join) goes out with the next {@link #send} or {@link #release}, first, so its client learns
	 * of the join only once it receives broadcasts: an event caused by something the client does
	 * on seeing its join cannot pass it by.
	 * @param version the room version its join made: it receives the events made at or after it
	 */
	public void markJoined(long version) {
		this.joinVersion = version;
		this.joined = true;
	}

	/** Writes what the session {@link #hold held}. */
	public void release() {
		this.connection.flush();
	}

	/** Whether broadcasts reach this session: joined and not ended. */
	public boolean isLive() {
		return this.joined && this.endReason.get() == null;
	}

	/** The room version at which this session joined (0 before it has). */
	public long joinVersion() {
		return this.joinVersion;
	}

	public boolean isEnded() {
		return this.endReason.get() != null;
	}

	/**
	 * Ends the session for the given reason. Only the first call wins, so a kick racing a client
	 * close produces one leave, not two.
	 * @return whether this call ended the session
	 */
	public boolean end(LeaveReason reason) {
		return this.endReason.compareAndSet(null, reason);
	}

	public void send(Envelope envelope) {
		this.connection.send(envelope);
	}

	/** Queues an event to go out with the next send or with {@link #markJoined}. */
	public void hold(Envelope envelope) {
		this.connection.hold(envelope);
	}

	@Override
	public String toString() {
		return "ChatSession[" + this.name + "@" + remoteAddress() + "]";
	}

}
