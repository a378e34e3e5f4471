package io.imsystem.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTests {

	private static final long T0 = 1_000_000;

	@Test
	void allowsABurstAtOnceThenDrops() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		for (int i = 0; i < 40; i++) {
			assertThat(limiter.tryAcquire(T0)).as("frame %d", i).isTrue();
		}
		assertThat(limiter.tryAcquire(T0)).isFalse();
		assertThat(limiter.tryAcquire(T0)).isFalse();
	}

	@Test
	void saysWhenTheNextTokenComes() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		assertThat(limiter.millisUntilToken(T0)).isEqualTo(1);
		countAcquired(limiter, T0);
		assertThat(limiter.millisUntilToken(T0)).isEqualTo(50);
		assertThat(limiter.millisUntilToken(T0 + 30)).isEqualTo(20);
		assertThat(limiter.tryAcquire(T0 + 30 + 19)).isFalse();
		assertThat(limiter.tryAcquire(T0 + 30 + 20)).isTrue();
	}

	@Test
	void refillsAtTheRate() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		assertThat(countAcquired(limiter, T0)).isEqualTo(40);
		// 20 per second is one every 50 ms.
		assertThat(limiter.tryAcquire(T0 + 49)).isFalse();
		assertThat(limiter.tryAcquire(T0 + 51)).isTrue();
		assertThat(limiter.tryAcquire(T0 + 51)).isFalse();
		assertThat(countAcquired(limiter, T0 + 1051)).isEqualTo(20);
	}

	@Test
	void sustainedRateIsHonoured() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		assertThat(countAcquired(limiter, T0)).isEqualTo(40);
		int acquired = 0;
		for (long now = T0; now <= T0 + 10_000; now += 10) {
			acquired += limiter.tryAcquire(now) ? 1 : 0;
		}
		assertThat(acquired).isBetween(199, 200);
	}

	@Test
	void refillNeverExceedsTheBurst() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		assertThat(countAcquired(limiter, T0 + 3_600_000)).isEqualTo(40);
	}

	@Test
	void aClockGoingBackwardsDoesNotMintTokens() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		assertThat(countAcquired(limiter, T0)).isEqualTo(40);
		assertThat(limiter.tryAcquire(T0 - 5000)).isFalse();
		assertThat(limiter.tryAcquire(T0)).isFalse();
	}

	@Test
	void reportsTheFirstDropThenAtMostOneASecond() {
		RateLimiter limiter = new RateLimiter(20, 40, T0);
		assertThat(limiter.shouldReportDrop(T0)).isTrue();
		assertThat(limiter.shouldReportDrop(T0)).isFalse();
		assertThat(limiter.shouldReportDrop(T0 + 999)).isFalse();
		assertThat(limiter.shouldReportDrop(T0 + 1000)).isTrue();
		assertThat(limiter.shouldReportDrop(T0 + 1500)).isFalse();
		int reports = 0;
		for (long now = T0 + 1001; now < T0 + 11_001; now++) {
			reports += limiter.shouldReportDrop(now) ? 1 : 0;
		}
		assertThat(reports).isEqualTo(10);
	}

	@Test
	void firstDropIsReportedEvenAtTimeZero() {
		RateLimiter limiter = new RateLimiter(20, 40, 0);
		assertThat(limiter.shouldReportDrop(0)).isTrue();
		assertThat(limiter.shouldReportDrop(1)).isFalse();
	}

	private static int countAcquired(RateLimiter limiter, long now) {
		int count = 0;
		while (limiter.tryAcquire(now)) {
			count++;
		}
		return count;
	}

}
