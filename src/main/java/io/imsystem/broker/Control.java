package io.imsystem.broker;

import java.time.Duration;

import io.imsystem.protocol.LeaveReason;

/**
 * A command for one node (the one a session is connected to) or for all. Acting on a session of
 * another node goes through here, since its session object lives only there. A command that
 * carries a {@link Request} is answered with a {@link Reply} to the node that asked, so that an
 * administrator hears success only from the node that did it.
 */
public sealed interface Control {

	/** The node the command is for, or {@code null} for every node. */
	String node();

	/** Who waits for the answer, or {@code null} when nobody does. */
	default Request request() {
		return null;
	}

	/** Kick a session of that node. */
	record Kick(String node, String sessionId, LeaveReason reason, String message, String kickedBy,
			Request request) implements Control {

		public Kick(String node, String sessionId, LeaveReason reason, String message, String kickedBy) {
			this(node, sessionId, reason, message, kickedBy, null);
		}

	}

	/** Set ({@code timeout}) or remove ({@code null}) a session's own idle timeout. */
	record SetTimeout(String node, String sessionId, Duration timeout, Request request) implements Control {

		public SetTimeout(String node, String sessionId, Duration timeout) {
			this(node, sessionId, timeout, null);
		}

	}

	/** The global idle settings changed in the shared store: re-read them. */
	record SettingsChanged(String node, long version) implements Control {
	}

	/**
	 * The answer to a command with a {@link Request}, sent to the node that asked.
	 * @param applied whether the session was there and the command done
	 */
	record Reply(String node, String requestId, boolean applied) implements Control {
	}

	/**
	 * @param replyTo the node that waits for the {@link Reply}
	 * @param id what the reply quotes
	 * @param deadline when the asking node stops waiting (epoch ms): a command that arrives later
	 * (its node was frozen) is not carried out, since the administrator was told it was not done
	 */
	record Request(String replyTo, String id, long deadline) {
	}

}
