package io.imsystem.idle;

import java.time.Duration;
import java.util.function.Consumer;

import io.imsystem.ChatProperties;
import io.imsystem.session.ChatSession;

/**
 * The idle timeout in force: a global one that can change at run time, and each session's own
 * override. A change applies to live sessions at the next sweep. The global settings live in an
 * {@link IdleSettingsStore} (one node's memory, or shared by a cluster); the rules about them
 * (what a valid timeout is, which warning applies) live here.
 */
public final class IdlePolicy {

	private final IdleSettingsStore store;

	private final Duration maxTimeout;

	/** A policy on this node's own settings, starting from the configured ones. */
	public IdlePolicy(ChatProperties.Idle idle) {
		this(new InMemoryIdleSettingsStore(new Settings(idle.timeout(), idle.warningBefore(), 0)), idle.maxTimeout());
	}

	public IdlePolicy(IdleSettingsStore store, Duration maxTimeout) {
		this.store = store;
		this.maxTimeout = maxTimeout;
	}

	/** The global timeout and warning, and a version that changes with every update. */
	public Settings settings() {
		return this.store.current();
	}

	/** Calls {@code listener} with the new settings after every update (see {@link IdleSettingsStore}). */
	public void onChange(Consumer<Settings> listener) {
		this.store.onChange(listener);
	}

	public Duration maxTimeout() {
		return this.maxTimeout;
	}

	/**
	 * Replaces the global timeout and warning.
	 * @return the settings that were in force before
	 * @throws IllegalArgumentException if the timeout is not positive or above the maximum, or
	 * the warning is negative
	 */
	public Settings update(Duration timeout, Duration warningBefore) {
		checkTimeout(timeout);
		if (warningBefore.isNegative()) {
			throw new IllegalArgumentException("warning must not be negative, was " + warningBefore.toSeconds() + "s");
		}
		return this.store.update((old) -> new Settings(timeout, warningBefore, old.version() + 1));
	}

	/** Checks that a timeout, global or per session, is one this policy accepts. */
	public void checkTimeout(Duration timeout) {
		if (timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must be positive, was " + timeout.toSeconds() + "s");
		}
		if (timeout.compareTo(this.maxTimeout) > 0) {
			throw new IllegalArgumentException(
					"timeout must be at most " + this.maxTimeout.toSeconds() + "s, was " + timeout.toSeconds() + "s");
		}
	}

	/** The timeout that applies to a session: its override, or the global timeout. */
	public Duration timeoutFor(ChatSession session) {
		return timeoutFor(session.timeoutOverride());
	}

	/** The timeout that applies to a session with this override ({@code null} for none). */
	public Duration timeoutFor(Duration override) {
		return (override != null) ? override : this.store.current().timeout();
	}

	/**
	 * The warning that applies to a session with this timeout (its own or the global one): the
	 * global warning, or half the timeout if that warning is not shorter than it.
	 */
	public Duration warningFor(Duration timeout) {
		return effectiveWarning(timeout, this.store.current().warningBefore());
	}

	/**
	 * The warning that really applies: {@code warningBefore} if it is shorter than the timeout,
	 * otherwise half the timeout, since a warning as long as the timeout would go out the moment a
	 * session fell silent. Zero stays zero: no warnings.
	 */
	public static Duration effectiveWarning(Duration timeout, Duration warningBefore) {
		if (warningBefore.isZero() || warningBefore.compareTo(timeout) < 0) {
			return warningBefore;
		}
		return timeout.dividedBy(2);
	}

	/**
	 * @param timeout the global idle timeout
	 * @param warningBefore how long before a kick the warning goes out, as configured; zero for
	 * none. See {@link #effectiveWarning} for the warning that applies to a given timeout
	 * @param version increases with every update
	 */
	public record Settings(Duration timeout, Duration warningBefore, long version) {
	}

}
