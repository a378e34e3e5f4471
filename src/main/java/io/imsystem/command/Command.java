package io.imsystem.command;

import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.ErrorCode;

/**
 * What a client asked for, whichever grammar it used (JSON or the original text lines). Stateless
 * checks (grammar, text limits, name rules) are already done: a frame that fails them parses to
 * {@link Invalid}.
 */
public sealed interface Command {

	/** Whether the frame counts as user activity: everything but {@code ping} does. */
	default boolean isActivity() {
		return true;
	}

	record Chat(String text) implements Command {
	}

	record Private(String to, String text) implements Command {
	}

	/** {@code name} is already trimmed and valid. */
	record Rename(String name) implements Command {
	}

	record Who() implements Command {
	}

	record Ping() implements Command {

		@Override
		public boolean isActivity() {
			return false;
		}

	}

	/**
	 * A frame that breaks a rule: the sender gets an {@code error} event, nothing else happens.
	 * {@code cause} says which rule; {@code message} is for people, never compared.
	 */
	record Invalid(ErrorCause cause, String message) implements Command {

		/** The code the client sees. */
		public ErrorCode code() {
			return this.cause.code();
		}

	}

}
