package io.imsystem.protocol;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every close code the server sends. Application codes mirror HTTP statuses; a client treats 44xx
 * and 4500 as final. Reasons are short English phrases well under the 123-byte limit.
 */
public enum CloseCode {

	GOING_AWAY(1001, "server shutting down"),
	PROTOCOL_ERROR(1002, "protocol error"),
	BINARY_NOT_ACCEPTED(1003, "binary frames are not accepted"),
	BAD_DATA(1007, "invalid frame payload"),
	TOO_BIG(1009, "frame too large"),
	/**
	 * A write to the client failed on the socket. The connection is usually gone already, so the
	 * frame is a formality; it has no reason, as it never had.
	 */
	SEND_FAILED(1011, ""),
	/**
	 * Cluster mode: this node had been declared dead (frozen past the node TTL) and drops the
	 * sessions the rest of the room no longer knows; the client reconnects.
	 */
	SERVICE_RESTART(1012, "this node left the cluster; reconnect"),
	/**
	 * Too many connections from one address raced past the handshake check, or (cluster mode) Redis
	 * went away between the handshake's check and the name claim.
	 */
	TRY_AGAIN_LATER(1013, "try again later"),
	/** The peer did not answer a heartbeat ping in time: it is presumed dead. */
	NO_PONG(4000, "no pong"),
	ADMIN_KICK(4403, "kicked by an administrator"),
	IDLE_TIMEOUT(4408, "idle timeout"),
	TOO_SLOW(4500, "too slow");

	/**
	 * The codes of a protocol violation, which the container sends itself (and reports to the
	 * endpoint as the session's close) when a client breaks the WebSocket rules or the limits.
	 */
	private static final Set<CloseCode> VIOLATIONS = EnumSet.of(PROTOCOL_ERROR, BINARY_NOT_ACCEPTED, BAD_DATA,
			TOO_BIG);

	private final int code;

	private final String reason;

	CloseCode(int code, String reason) {
		this.code = code;
		this.reason = reason;
	}

	public int code() {
		return this.code;
	}

	public String reason() {
		return this.reason;
	}

	/** The close that follows a kick for the given reason. */
	public static CloseCode forKick(LeaveReason reason) {
		return switch (reason) {
			case IDLE -> IDLE_TIMEOUT;
			case ADMIN -> ADMIN_KICK;
			case SLOW -> TOO_SLOW;
			case SHUTDOWN -> GOING_AWAY;
			case QUIT, ERROR -> throw new IllegalArgumentException(reason + " is not a kick");
		};
	}

	/** The leave reason for a close the client (or its network, or the container) initiated. */
	public static LeaveReason leaveReasonForRemoteClose(int code) {
		for (CloseCode violation : VIOLATIONS) {
			if (violation.code == code) {
				return LeaveReason.ERROR;
			}
		}
		return LeaveReason.QUIT;
	}

}
