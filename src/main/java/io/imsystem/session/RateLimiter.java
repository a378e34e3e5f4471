package io.imsystem.session;

/**
 * A token bucket for one session's incoming frames, plus the throttle on its {@code rate-limited}
 * errors so that errors never amplify a flood. Used only by the thread that reads the session.
 * Text messages and, on WebSocket, control frames and empty continuation frames draw from the same
 * bucket.
 */
public final class RateLimiter {

	private static final long ERROR_INTERVAL_MILLIS = 1000;

	private final double tokensPerMilli;

	private final double capacity;

	private double tokens;

	private long refilledAt;

	private long lastErrorAt = Long.MIN_VALUE;

	public RateLimiter(int perSecond, int burst, long nowMillis) {
		this.tokensPerMilli = perSecond / 1000.0;
		this.capacity = burst;
		this.tokens = burst;
		this.refilledAt = nowMillis;
	}

	/** Takes one token; {@code false} means the frame must be dropped. */
	public boolean tryAcquire(long nowMillis) {
		if (nowMillis > this.refilledAt) {
			this.tokens = Math.min(this.capacity, this.tokens + (nowMillis - this.refilledAt) * this.tokensPerMilli);
			this.refilledAt = nowMillis;
		}
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return true;
		}
		return false;
	}

	/** How long until {@link #tryAcquire} can succeed again: at least 1 ms. */
	public long millisUntilToken(long nowMillis) {
		double tokens = this.tokens;
		if (nowMillis > this.refilledAt) {
			tokens = Math.min(this.capacity, tokens + (nowMillis - this.refilledAt) * this.tokensPerMilli);
		}
		return Math.max(1, (long) Math.ceil((1 - tokens) / this.tokensPerMilli));
	}

	/** Whether a dropped frame should be answered with an error: the first, then one a second. */
	public boolean shouldReportDrop(long nowMillis) {
		if (this.lastErrorAt != Long.MIN_VALUE && nowMillis - this.lastErrorAt < ERROR_INTERVAL_MILLIS) {
			return false;
		}
		this.lastErrorAt = nowMillis;
		return true;
	}

}
