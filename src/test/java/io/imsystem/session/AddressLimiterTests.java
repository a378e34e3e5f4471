package io.imsystem.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AddressLimiterTests {

	private static final String ADDRESS = "10.0.0.1";

	private final AddressLimiter limiter = new AddressLimiter(3);

	@Test
	void halfOpenConnectionsCountAgainstTheLimit() {
		assertThat(this.limiter.tryAcquire(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquireHalfOpen(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquireHalfOpen(ADDRESS)).isTrue();
		assertThat(this.limiter.hasRoom(ADDRESS)).isFalse();
		assertThat(this.limiter.open(ADDRESS)).isOne();
		assertThat(this.limiter.halfOpen(ADDRESS)).isEqualTo(2);
		this.limiter.releaseHalfOpen(ADDRESS);
		assertThat(this.limiter.hasRoom(ADDRESS)).isTrue();
		assertThat(this.limiter.hasRoom("10.0.0.2")).isTrue();
	}

	@Test
	void aSessionPastItsHandshakeIsNotFailedByConnectionsAcceptedSince() {
		assertThat(this.limiter.tryAcquire(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquireHalfOpen(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquireHalfOpen(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquire(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquire(ADDRESS)).isTrue();
		assertThat(this.limiter.tryAcquire(ADDRESS)).isFalse();
	}

	@Test
	void halfOpenConnectionsAreRefusedOnlyByTheirOwnCount() {
		// Established connections do not stop a request from reaching the handshake's 429.
		for (int i = 0; i < 3; i++) {
			assertThat(this.limiter.tryAcquire(ADDRESS)).isTrue();
		}
		for (int i = 0; i < 3; i++) {
			assertThat(this.limiter.tryAcquireHalfOpen(ADDRESS)).as("half-open %d", i).isTrue();
		}
		assertThat(this.limiter.tryAcquireHalfOpen(ADDRESS)).isFalse();
		assertThat(this.limiter.halfOpen(ADDRESS)).isEqualTo(3);
	}

	@Test
	void anAddressWithNothingLeftIsForgotten() {
		this.limiter.tryAcquire(ADDRESS);
		this.limiter.tryAcquireHalfOpen(ADDRESS);
		this.limiter.release(ADDRESS);
		this.limiter.releaseHalfOpen(ADDRESS);
		this.limiter.release(ADDRESS);
		assertThat(this.limiter.open(ADDRESS)).isZero();
		assertThat(this.limiter.halfOpen(ADDRESS)).isZero();
		for (int i = 0; i < 3; i++) {
			assertThat(this.limiter.tryAcquire(ADDRESS)).isTrue();
		}
	}

}
