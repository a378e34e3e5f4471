package io.imsystem.broker;

import io.imsystem.protocol.Envelope;
import io.imsystem.session.ChatSession;

/**
 * Fans an event out to every session in the room. The chat service never knows which broker runs:
 * the in-memory one (a single node, the default) or one that spans nodes.
 */
public interface Broker {

	/**
	 * Delivers an event to every live session, except {@code except} when it is not {@code null}.
	 * Returns without waiting for any client to read it.
	 */
	void broadcast(Envelope envelope, ChatSession except);

}
