package io.imsystem.socket;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per remote IP address for WebSocket handshakes
 * ({@code chat.limits.handshakes-per-second}, {@code chat.limits.handshake-burst}). Every join and
 * leave is a presence event to everyone in the room, so one address opening and closing
 * connections as fast as it can made every user receive thousands of frames a second.
 * <p>
 * Not {@code session.RateLimiter}: that one belongs to one session's reading thread and carries
 * the throttle of its error frames; these buckets are shared by every handshake thread. An
 * address's bucket is dropped once it has refilled, so the map holds only addresses that
 * connected within the last {@code burst / rate} seconds.
 */
final class HandshakeRate {

	/** How often, at most, full buckets are dropped. */
	private static final long SWEEP_INTERVAL_MILLIS = 10_000;

	private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

	private final double tokensPerMilli;

	private final double burst;

	private volatile long sweptAt;

	HandshakeRate(int perSecond, int burst) {
		this.tokensPerMilli = perSecond / 1000.0;
		this.burst = burst;
	}

	/**
	 * Takes a token for one handshake from this address.
	 * @return 0 if the handshake may go on, otherwise how many whole seconds until it may
	 */
	long tryAcquire(String address, long nowMillis) {
		sweep(nowMillis);
		long[] retryAfter = new long[1];
		this.buckets.compute(address, (key, bucket) -> {
			Bucket current = (bucket != null) ? bucket : new Bucket(this.burst, nowMillis);
			retryAfter[0] = current.take(nowMillis, this.tokensPerMilli, this.burst);
			return current;
		});
		return retryAfter[0];
	}

	private void sweep(long nowMillis) {
		long sweptAt = this.sweptAt;
		if (nowMillis - sweptAt < SWEEP_INTERVAL_MILLIS) {
			return;
		}
		this.sweptAt = nowMillis;
		for (String address : this.buckets.keySet()) {
			// Under the key's lock, like a take: a bucket is never dropped while it is being drained.
			this.buckets.computeIfPresent(address,
					(key, bucket) -> bucket.fullAt(nowMillis, this.tokensPerMilli, this.burst) ? null : bucket);
		}
	}

	/** Addresses with a bucket: tests see that idle ones are dropped. */
	int size() {
		return this.buckets.size();
	}

	/** Mutated only inside {@code compute}, under the map's lock for its key. */
	private static final class Bucket {

		private double tokens;

		private long refilledAt;

		Bucket(double tokens, long refilledAt) {
			this.tokens = tokens;
			this.refilledAt = refilledAt;
		}

		long take(long nowMillis, double tokensPerMilli, double burst) {
			refill(nowMillis, tokensPerMilli, burst);
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return 0;
			}
			return Math.max(1, (long) Math.ceil((1 - this.tokens) / tokensPerMilli / 1000));
		}

		boolean fullAt(long nowMillis, double tokensPerMilli, double burst) {
			return this.tokens + Math.max(0, nowMillis - this.refilledAt) * tokensPerMilli >= burst;
		}

		private void refill(long nowMillis, double tokensPerMilli, double burst) {
			if (nowMillis > this.refilledAt) {
				this.tokens = Math.min(burst, this.tokens + (nowMillis - this.refilledAt) * tokensPerMilli);
				this.refilledAt = nowMillis;
			}
		}

	}

}
