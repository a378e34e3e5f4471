package io.imsystem.protocol;

/**
 * Which rule a client's frame broke: finer than its {@link ErrorCode}, which is what the JSON wire
 * shows, since one code can stand for rules a transport words differently. The line protocol has
 * one of the original system's lines for each cause (a private message without a recipient gets a
 * format hint, one to an unknown user does not), so it reads the cause, never the English message.
 */
public enum ErrorCause {

	BAD_JSON(ErrorCode.BAD_JSON),
	UNKNOWN_TYPE(ErrorCode.UNKNOWN_TYPE),
	EMPTY_TEXT(ErrorCode.EMPTY_TEXT),
	TEXT_TOO_LONG(ErrorCode.TEXT_TOO_LONG),
	/** A private message to a user who is not online. */
	UNKNOWN_USER(ErrorCode.UNKNOWN_USER),
	/** A private message that names no recipient: malformed rather than misaddressed. */
	NO_RECIPIENT(ErrorCode.UNKNOWN_USER),
	NAME_TAKEN(ErrorCode.NAME_TAKEN),
	INVALID_NAME(ErrorCode.INVALID_NAME),
	RATE_LIMITED(ErrorCode.RATE_LIMITED),
	/** Cluster mode: a rename, or a private message to another node, while Redis is away. */
	UNAVAILABLE(ErrorCode.UNAVAILABLE);

	private final ErrorCode code;

	ErrorCause(ErrorCode code) {
		this.code = code;
	}

	/** The code the client sees. */
	public ErrorCode code() {
		return this.code;
	}

	/** The general cause of a code: the first declared with it. */
	public static ErrorCause of(ErrorCode code) {
		for (ErrorCause cause : values()) {
			if (cause.code == code) {
				return cause;
			}
		}
		throw new IllegalArgumentException("no cause for " + code);
	}

}
