package io.imsystem.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** The {@code code} of an {@code error} event. An error never closes the session. */
public enum ErrorCode {

	BAD_JSON("bad-json"),
	UNKNOWN_TYPE("unknown-type"),
	EMPTY_TEXT("empty-text"),
	TEXT_TOO_LONG("text-too-long"),
	UNKNOWN_USER("unknown-user"),
	NAME_TAKEN("name-taken"),
	INVALID_NAME("invalid-name"),
	RATE_LIMITED("rate-limited"),
	/** Cluster mode: Redis is away, so what needs the other nodes cannot be done now. */
	UNAVAILABLE("unavailable");

	private final String wire;

	ErrorCode(String wire) {
		this.wire = wire;
	}

	@JsonValue
	public String wire() {
		return this.wire;
	}

}
