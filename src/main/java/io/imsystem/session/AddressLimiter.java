package io.imsystem.session;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts open connections per remote IP address, so that one host cannot take every socket. A
 * connection is counted from the moment it is established until it closes.
 */
public final class AddressLimiter {

	private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

	private final int limit;

	public AddressLimiter(int limit) {
		this.limit = limit;
	}

	/** Whether a new connection from this address would still be within the limit. */
	public boolean hasRoom(String address) {
		return this.open.getOrDefault(address, 0) < this.limit;
	}

	/** Counts a new connection; {@code false}, and nothing counted, if the address is at its limit. */
	public boolean tryAcquire(String address) {
		boolean[] acquired = new boolean[1];
		this.open.compute(address, (key, count) -> {
			int current = (count != null) ? count : 0;
			acquired[0] = current < this.limit;
			return acquired[0] ? current + 1 : count;
		});
		return acquired[0];
	}

	/** Forgets one connection from this address. */
	public void release(String address) {
		this.open.computeIfPresent(address, (key, count) -> (count > 1) ? count - 1 : null);
	}

	/** Open connections from this address. */
	public int open(String address) {
		return this.open.getOrDefault(address, 0);
	}

	public int limit() {
		return this.limit;
	}

}
