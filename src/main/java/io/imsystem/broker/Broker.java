package io.imsystem.broker;

import io.imsystem.protocol.Envelope;
import io.imsystem.session.ChatSession;

/**
 * Fans an event out to every session in the room. The chat service never knows which broker runs:
 * the in-memory one (a single node, the default) or one that spans nodes.
 */
public interface Broker {

	/**
	 * Delivers an event to every live session that had joined by room version {@code asOf}
	 * ({@link ChatSession#joinVersion()}), except {@code except} when it is not {@code null}.
	 * Returns without waiting for any client to read it. A session that joined after the event
	 * does not get it, however late the broadcasting thread runs: its welcome already reflects
	 * the room as it was.
	 */
	void broadcast(Envelope envelope, ChatSession except, long asOf);

}
