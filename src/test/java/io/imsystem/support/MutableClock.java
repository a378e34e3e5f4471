package io.imsystem.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that tests move by hand, so idle logic is tested without sleeping. */
public final class MutableClock extends Clock {

	private volatile long millis;

	public MutableClock(long millis) {
		this.millis = millis;
	}

	public void set(long millis) {
		this.millis = millis;
	}

	public void advance(long millis) {
		this.millis += millis;
	}

	@Override
	public long millis() {
		return this.millis;
	}

	@Override
	public Instant instant() {
		return Instant.ofEpochMilli(this.millis);
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("a test clock is always UTC");
	}

}
