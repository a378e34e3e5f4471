package io.imsystem.idle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.ChatProperties;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;
import io.imsystem.support.MutableClock;
import io.imsystem.support.RecordingConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When warnings go out relative to activity, with warnings long compared to the timeout: the
 * tracker is swept once a second, as the sweeper does by default, on a clock the test moves.
 */
class IdleTrackerTests {

	private static final long T0 = 1_764_060_000_000L;

	private final MutableClock clock = new MutableClock(T0);

	private final List<Warned> warnings = new ArrayList<>();

	private final List<ChatSession> kicked = new ArrayList<>();

	private IdleTracker tracker;

	private int ids;

	@Test
	void aSecondWarningAfterActivityComesWithTheFullWarningLeft() {
		start(Duration.ofSeconds(6), Duration.ofSeconds(4));
		ChatSession session = join();
		sweepEachSecondUntil(T0 + 2_000);
		assertThat(this.warnings).containsExactly(new Warned(session, T0 + 2_000, 4));

		sweepEachSecondUntil(T0 + 3_000);
		session.touch(T0 + 3_000);
		sweepEachSecondUntil(T0 + 5_000);
		// Due 2 s after the activity with 4 s left, not at the old deadline (6 s) with 3 s left.
		assertThat(this.warnings).containsExactly(new Warned(session, T0 + 2_000, 4), new Warned(session, T0 + 5_000, 4));

		sweepEachSecondUntil(T0 + 8_999);
		assertThat(this.kicked).isEmpty();
		sweepAt(T0 + 9_000);
		assertThat(this.kicked).containsExactly(session);
		assertThat(this.warnings).hasSize(2);
	}

	@Test
	void aSecondWarningIsOnTimeWithATwentySecondTimeoutAndAFifteenSecondWarning() {
		start(Duration.ofSeconds(20), Duration.ofSeconds(15));
		ChatSession session = join();
		sweepEachSecondUntil(T0 + 5_000);
		assertThat(this.warnings).containsExactly(new Warned(session, T0 + 5_000, 15));

		sweepEachSecondUntil(T0 + 6_000);
		session.touch(T0 + 6_000);
		sweepEachSecondUntil(T0 + 11_000);
		assertThat(this.warnings).last().isEqualTo(new Warned(session, T0 + 11_000, 15));
		assertThat(this.warnings).hasSize(2);
	}

	@Test
	void activityJustAfterAWarningIsFollowedByAnotherOnTime() {
		start(Duration.ofSeconds(6), Duration.ofSeconds(4));
		ChatSession session = join();
		sweepEachSecondUntil(T0 + 2_000);
		session.touch(T0 + 2_500);
		sweepEachSecondUntil(T0 + 4_000);
		assertThat(this.warnings).hasSize(1);
		sweepAt(T0 + 4_500);
		assertThat(this.warnings).last().isEqualTo(new Warned(session, T0 + 4_500, 4));
	}

	@Test
	void aWarningNotShorterThanTheTimeoutComesAtHalfOfIt() {
		start(Duration.ofSeconds(10), Duration.ofSeconds(30));
		ChatSession session = join();
		sweepEachSecondUntil(T0 + 4_999);
		assertThat(this.warnings).as("not the moment the session falls silent").isEmpty();
		sweepAt(T0 + 5_000);
		assertThat(this.warnings).containsExactly(new Warned(session, T0 + 5_000, 5));
		sweepEachSecondUntil(T0 + 10_000);
		assertThat(this.kicked).containsExactly(session);
		assertThat(this.warnings).hasSize(1);
	}

	@Test
	void anOverrideShorterThanTheGlobalWarningIsWarnedAtHalfItsOwnTimeout() {
		start(Duration.ofSeconds(300), Duration.ofSeconds(30));
		ChatSession overridden = join();
		ChatSession global = join();
		overridden.timeoutOverride(Duration.ofSeconds(20));
		this.tracker.reschedule(overridden);
		sweepEachSecondUntil(T0 + 9_000);
		assertThat(this.warnings).isEmpty();
		sweepAt(T0 + 10_000);
		assertThat(this.warnings).containsExactly(new Warned(overridden, T0 + 10_000, 10));

		// A longer override keeps the global warning.
		global.timeoutOverride(Duration.ofSeconds(60));
		this.tracker.reschedule(global);
		sweepEachSecondUntil(T0 + 29_000);
		assertThat(this.warnings).hasSize(1);
		sweepAt(T0 + 30_000);
		assertThat(this.warnings).last().isEqualTo(new Warned(global, T0 + 30_000, 30));
	}

	@Test
	void noWarningsStaysNoWarningsWhateverTheTimeout() {
		start(Duration.ofSeconds(4), Duration.ZERO);
		ChatSession session = join();
		sweepEachSecondUntil(T0 + 4_000);
		assertThat(this.warnings).isEmpty();
		assertThat(this.kicked).containsExactly(session);
	}

	private void start(Duration timeout, Duration warning) {
		IdlePolicy policy = new IdlePolicy(
				new ChatProperties.Idle(timeout, warning, Duration.ofSeconds(1), "你被踢了", Duration.ofHours(24)));
		this.tracker = new IdleTracker(policy);
	}

	private ChatSession join() {
		ChatSession session = new ChatSession("s" + (++this.ids), new RecordingConnection(), this.clock.millis(),
				new RateLimiter(20, 40, this.clock.millis()));
		this.tracker.track(session);
		return session;
	}

	/** Sweeps on every whole second after the clock's time, up to and including {@code end}. */
	private void sweepEachSecondUntil(long end) {
		for (long t = (this.clock.millis() / 1000 + 1) * 1000; t <= end; t += 1000) {
			sweepAt(t);
		}
	}

	private void sweepAt(long millis) {
		this.clock.set(millis);
		this.tracker.sweep(millis, new IdleActions() {

			@Override
			public void warn(ChatSession session, long secondsLeft) {
				IdleTrackerTests.this.warnings.add(new Warned(session, millis, secondsLeft));
			}

			@Override
			public void expire(List<Expired> expired, long now) {
				for (Expired due : expired) {
					IdleTrackerTests.this.kicked.add(due.session());
					if (due.session().end(LeaveReason.IDLE)) {
						IdleTrackerTests.this.tracker.untrack(due.session());
					}
				}
			}

		});
	}

	record Warned(ChatSession session, long at, long secondsLeft) {
	}

}
