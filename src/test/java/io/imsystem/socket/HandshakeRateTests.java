package io.imsystem.socket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeRateTests {

	private final HandshakeRate rate = new HandshakeRate(2, 4);

	@Test
	void aBurstThenTheRate() {
		for (int i = 0; i < 4; i++) {
			assertThat(this.rate.tryAcquire("10.0.0.1", 0)).as("handshake %d", i).isZero();
		}
		assertThat(this.rate.tryAcquire("10.0.0.1", 0)).isEqualTo(1);
		assertThat(this.rate.tryAcquire("10.0.0.2", 0)).isZero();
		assertThat(this.rate.tryAcquire("10.0.0.1", 500)).isZero();
		assertThat(this.rate.tryAcquire("10.0.0.1", 500)).isEqualTo(1);
	}

	@Test
	void refilledBucketsAreDropped() {
		this.rate.tryAcquire("10.0.0.1", 0);
		this.rate.tryAcquire("10.0.0.2", 0);
		assertThat(this.rate.size()).isEqualTo(2);
		// Much later, both have long refilled: the next handshake sweeps them.
		this.rate.tryAcquire("10.0.0.3", 60_000);
		assertThat(this.rate.size()).isOne();
	}

}
