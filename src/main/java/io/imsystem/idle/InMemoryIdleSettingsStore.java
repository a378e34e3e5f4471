package io.imsystem.idle;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** The settings of one node: an atomic reference; listeners are told on the updating thread. */
public final class InMemoryIdleSettingsStore implements IdleSettingsStore {

	private final AtomicReference<IdlePolicy.Settings> settings;

	private final List<Consumer<IdlePolicy.Settings>> listeners = new CopyOnWriteArrayList<>();

	public InMemoryIdleSettingsStore(IdlePolicy.Settings initial) {
		this.settings = new AtomicReference<>(initial);
	}

	@Override
	public IdlePolicy.Settings current() {
		return this.settings.get();
	}

	@Override
	public IdlePolicy.Settings update(UnaryOperator<IdlePolicy.Settings> change) {
		IdlePolicy.Settings old = this.settings.getAndUpdate(change);
		IdlePolicy.Settings now = this.settings.get();
		for (Consumer<IdlePolicy.Settings> listener : this.listeners) {
			listener.accept(now);
		}
		return old;
	}

	@Override
	public void onChange(Consumer<IdlePolicy.Settings> listener) {
		this.listeners.add(listener);
	}

}
