package io.imsystem.session;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts connections per remote IP address, so that one host cannot take every socket. A chat
 * connection (WebSocket or TCP gateway) is counted from the moment it is established until it
 * closes; an HTTP connection that has not yet sent its first request's headers is counted as
 * half-open, from the moment it is accepted until its headers arrive or it closes. A handshake
 * finds room ({@link #hasRoom}) only if both together are under the limit: a slowloris client
 * holding half-sent requests leaves its address no room for more sessions.
 */
public final class AddressLimiter {

	private final ConcurrentHashMap<String, Counts> counts = new ConcurrentHashMap<>();

	private final int limit;

	public AddressLimiter(int limit) {
		this.limit = limit;
	}

	/**
	 * Whether a new connection from this address would still be within the limit, half-open ones
	 * counted.
	 */
	public boolean hasRoom(String address) {
		Counts counts = this.counts.get(address);
		return counts == null || counts.total() < this.limit;
	}

	/**
	 * Counts a new connection; {@code false}, and nothing counted, if the address has as many
	 * connections open as its limit. Half-open ones are left out here: they were counted when the
	 * handshake was checked, and a connection accepted since must not fail a session already
	 * promised its upgrade.
	 */
	public boolean tryAcquire(String address) {
		boolean[] acquired = new boolean[1];
		this.counts.compute(address, (key, counts) -> {
			Counts current = (counts != null) ? counts : Counts.NONE;
			acquired[0] = current.open < this.limit;
			return acquired[0] ? new Counts(current.open + 1, current.halfOpen) : counts;
		});
		return acquired[0];
	}

	/** Forgets one connection from this address. */
	public void release(String address) {
		this.counts.computeIfPresent(address, (key, counts) -> counts.with(counts.open - 1, counts.halfOpen));
	}

	/**
	 * Counts a newly accepted HTTP connection that has not sent a request yet; {@code false}, and
	 * nothing counted, if the address already has as many of those as its limit. Established
	 * connections do not refuse it: the handshake that follows is refused with a status instead.
	 */
	public boolean tryAcquireHalfOpen(String address) {
		boolean[] acquired = new boolean[1];
		this.counts.compute(address, (key, counts) -> {
			Counts current = (counts != null) ? counts : Counts.NONE;
			acquired[0] = current.halfOpen < this.limit;
			return acquired[0] ? new Counts(current.open, current.halfOpen + 1) : counts;
		});
		return acquired[0];
	}

	/** Forgets one half-open connection: its headers arrived, or it closed. */
	public void releaseHalfOpen(String address) {
		this.counts.computeIfPresent(address, (key, counts) -> counts.with(counts.open, counts.halfOpen - 1));
	}

	/** Open connections from this address. */
	public int open(String address) {
		Counts counts = this.counts.get(address);
		return (counts != null) ? counts.open : 0;
	}

	/** HTTP connections from this address still waiting for their first request's headers. */
	public int halfOpen(String address) {
		Counts counts = this.counts.get(address);
		return (counts != null) ? counts.halfOpen : 0;
	}

	public int limit() {
		return this.limit;
	}

	private record Counts(int open, int halfOpen) {

		static final Counts NONE = new Counts(0, 0);

		int total() {
			return this.open + this.halfOpen;
		}

		/** The next counts, or {@code null} to forget an address with nothing left. */
		Counts with(int open, int halfOpen) {
			int o = Math.max(open, 0);
			int h = Math.max(halfOpen, 0);
			return (o == 0 && h == 0) ? null : new Counts(o, h);
		}

	}

}
