package io.imsystem.broker;

import java.util.function.Consumer;

/**
 * Room events and control commands between nodes, as values: ids and payloads, never session
 * objects. The chat never knows which broker runs: the in-memory one ({@link LocalBroker}, a single
 * node, the default) or one that spans nodes. Every node subscribes its hub to the room events and
 * its membership to the control commands.
 */
public interface Broker {

	/** Publishes a room event to every node, this one included. Returns without waiting for any client. */
	void publish(RoomEvent event);

	/** Receives every room event published, on the publishing thread or the broker's own. */
	void subscribe(Consumer<RoomEvent> subscriber);

	/** Sends a command to the node it names, or to every node. */
	void control(Control command);

	/** Receives the commands for this node. */
	void subscribeControl(Consumer<Control> handler);

	/**
	 * Whether events reach the other nodes now. Always, for one node; a broker between nodes
	 * says {@code false} while its link is down, and this node then admits nobody new and refuses
	 * what needs another node.
	 */
	default boolean linkUp() {
		return true;
	}

}
