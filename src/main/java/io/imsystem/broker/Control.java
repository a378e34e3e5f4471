package io.imsystem.broker;

import java.time.Duration;

import io.imsystem.protocol.LeaveReason;

/**
 * A command for one node (the one a session is connected to) or for all. Acting on a session of
 * another node goes through here, since its session object lives only there.
 */
public sealed interface Control {

	/** The node the command is for, or {@code null} for every node. */
	String node();

	/** Kick a session of that node. */
	record Kick(String node, String sessionId, LeaveReason reason, String message, String kickedBy) implements Control {
	}

	/** Set ({@code timeout}) or remove ({@code null}) a session's own idle timeout. */
	record SetTimeout(String node, String sessionId, Duration timeout) implements Control {
	}

	/** The global idle settings changed in the shared store: re-read them. */
	record SettingsChanged(String node, long version) implements Control {
	}

}
