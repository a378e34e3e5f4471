package io.imsystem.broker;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The single-node broker: loops every event and command back, in memory, on the publishing thread.
 * No lock is held, so a slow subscriber delays only the publisher.
 */
public final class LocalBroker implements Broker {

	private final String node;

	private final List<Consumer<RoomEvent>> subscribers = new CopyOnWriteArrayList<>();

	private final List<Consumer<Control>> handlers = new CopyOnWriteArrayList<>();

	/** @param node this node's id: commands for another node go nowhere */
	public LocalBroker(String node) {
		this.node = node;
	}

	@Override
	public void publish(RoomEvent event) {
		for (Consumer<RoomEvent> subscriber : this.subscribers) {
			subscriber.accept(event);
		}
	}

	@Override
	public void subscribe(Consumer<RoomEvent> subscriber) {
		this.subscribers.add(subscriber);
	}

	@Override
	public void control(Control command) {
		if (command.node() != null && !Objects.equals(command.node(), this.node)) {
			return;
		}
		for (Consumer<Control> handler : this.handlers) {
			handler.accept(command);
		}
	}

	@Override
	public void subscribeControl(Consumer<Control> handler) {
		this.handlers.add(handler);
	}

}
