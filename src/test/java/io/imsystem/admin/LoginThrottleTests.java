package io.imsystem.admin;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.imsystem.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTests {

	private final MutableClock clock = new MutableClock(1_000_000);

	private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(1), this.clock);

	@Test
	void anAddressMayTryBurstTimesThenWaitsOnePeriodPerTry() {
		assertThat(this.throttle.tryLogin("a").lastTry()).isFalse();
		assertThat(this.throttle.tryLogin("a").lastTry()).isFalse();
		LoginThrottle.Decision third = this.throttle.tryLogin("a");
		assertThat(third.allowed()).isTrue();
		assertThat(third.lastTry()).isTrue();
		LoginThrottle.Decision refused = this.throttle.tryLogin("a");
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.retryAfterMillis()).isEqualTo(60_000);
		assertThat(refused.retryAfterSeconds()).isEqualTo(60);

		this.clock.advance(59_999);
		assertThat(this.throttle.tryLogin("a").allowed()).isFalse();
		assertThat(this.throttle.tryLogin("a").retryAfterSeconds()).isEqualTo(1);
		this.clock.advance(1);
		assertThat(this.throttle.tryLogin("a").allowed()).isTrue();
		assertThat(this.throttle.tryLogin("a").allowed()).isFalse();
	}

	@Test
	void addressesAreCountedApart() {
		for (int i = 0; i < 3; i++) {
			this.throttle.tryLogin("a");
		}
		assertThat(this.throttle.tryLogin("a").allowed()).isFalse();
		assertThat(this.throttle.tryLogin("b").allowed()).isTrue();
	}

	@Test
	void aSuccessForgivesEveryFailure() {
		for (int i = 0; i < 3; i++) {
			this.throttle.tryLogin("a");
		}
		this.throttle.succeeded("a");
		assertThat(this.throttle.tryLogin("a").allowed()).isTrue();
		assertThat(this.throttle.tracked()).isEqualTo(1);
	}

	@Test
	void forgivenAddressesAreDroppedWhenManyAreTracked() {
		for (int i = 0; i < LoginThrottle.PRUNE_ABOVE; i++) {
			this.throttle.tryLogin("10.0." + (i / 256) + "." + (i % 256));
		}
		this.clock.advance(Duration.ofMinutes(1).toMillis());
		this.throttle.tryLogin("192.0.2.1");
		assertThat(this.throttle.tracked()).isEqualTo(1);
	}

	@Test
	void addressesStillCountedAreKept() {
		for (int i = 0; i <= LoginThrottle.PRUNE_ABOVE; i++) {
			this.throttle.tryLogin("10.0." + (i / 256) + "." + (i % 256));
		}
		assertThat(this.throttle.tracked()).isEqualTo(LoginThrottle.PRUNE_ABOVE + 1);
		assertThat(this.throttle.tryLogin("10.0.0.0").allowed()).isTrue();
	}

}
