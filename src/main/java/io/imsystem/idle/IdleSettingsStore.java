package io.imsystem.idle;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Where the global idle timeout and warning are kept: in memory for one node
 * ({@link InMemoryIdleSettingsStore}); cluster mode keeps them where every node reads the same
 * settings and is told when they change. {@link IdlePolicy} is the only reader and writer.
 */
public interface IdleSettingsStore {

	/** The settings in force. */
	IdlePolicy.Settings current();

	/**
	 * Replaces the settings in one atomic step. The function gets the settings in force and returns
	 * the new ones (with the next version); it may run more than once under contention.
	 * @return the settings that were in force before
	 */
	IdlePolicy.Settings update(UnaryOperator<IdlePolicy.Settings> change);

	/** Calls {@code listener} with the new settings after every change, on the changing thread. */
	void onChange(Consumer<IdlePolicy.Settings> listener);

}
