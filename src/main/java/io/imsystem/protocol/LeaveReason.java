package io.imsystem.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a session left: the {@code reason} of a {@code presence} leave and of a {@code kicked} event. */
public enum LeaveReason {

	/** The client closed the connection, or it dropped. */
	QUIT("quit"),
	/** Silent for the session's idle timeout. */
	IDLE("idle"),
	/** Kicked by an administrator. */
	ADMIN("admin"),
	/** Did not read fast enough: its outbound buffer or send time limit was exceeded. */
	SLOW("slow"),
	/** The server is shutting down. */
	SHUTDOWN("shutdown"),
	/** A protocol violation or a failed heartbeat. */
	ERROR("error");

	private final String wire;

	LeaveReason(String wire) {
		this.wire = wire;
	}

	@JsonValue
	public String wire() {
		return this.wire;
	}

	/** Whether this reason is a kick, which is recorded in the kick history. */
	public boolean isKick() {
		return this == IDLE || this == ADMIN || this == SLOW || this == SHUTDOWN;
	}

}
