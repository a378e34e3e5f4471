package io.imsystem.protocol;

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
	/** Too many connections from one address raced past the handshake check. */
	TRY_AGAIN_LATER(1013, "too many connections from this address"),
	/** The peer did not answer a heartbeat ping in time: it is presumed dead. */
	NO_PONG(4000, "no pong"),
	ADMIN_KICK(4403, "kicked by an administrator"),
	IDLE_TIMEOUT(4408, "idle timeout"),
	TOO_SLOW(4500, "too slow");

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
		return switch (code) {
			case 1002, 1003, 1007, 1009 -> LeaveReason.ERROR;
			default -> LeaveReason.QUIT;
		};
	}

}
