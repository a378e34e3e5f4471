package io.imsystem.admin;

import com.fasterxml.jackson.annotation.JsonValue;

/** What an administrator did, as the audit's {@code action} shows it. */
public enum AuditAction {

	/** The global idle timeout or warning. */
	GLOBAL_TIMEOUT("global-timeout"),
	/** One user's own timeout, set or changed. */
	USER_TIMEOUT("user-timeout"),
	/** One user's own timeout, removed: the global one applies again. */
	USER_TIMEOUT_REMOVED("user-timeout-removed"),

	/** One user kicked (the kick history has the details: reason, message, address, idle time). */
	KICK("kick");

	private final String wire;

	AuditAction(String wire) {
		this.wire = wire;
	}

	@JsonValue
	public String wire() {
		return this.wire;
	}

}
