package io.imsystem.idle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.imsystem.ChatProperties;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;
import io.imsystem.support.MutableClock;
import io.imsystem.support.RecordingConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The sweeper driven by a clock the test moves: kicks happen exactly at the timeout, never a
 * millisecond before, and warnings once per idle stretch.
 */
class IdleSweeperTests {

	private static final long T0 = 1_764_060_000_000L;

	private static final Duration TIMEOUT = Duration.ofSeconds(300);

	private static final Duration WARNING = Duration.ofSeconds(30);

	private final MutableClock clock = new MutableClock(T0);

	private final IdlePolicy policy = new IdlePolicy(
			new ChatProperties.Idle(TIMEOUT, WARNING, Duration.ofSeconds(1), "你被踢了", Duration.ofHours(24)));

	private final IdleTracker tracker = new IdleTracker(this.policy);

	private final RecordingActions actions = new RecordingActions();

	private final IdleSweeper sweeper = new IdleSweeper(this.tracker, this.actions,
			new ChatMetrics(new SimpleMeterRegistry(), () -> 0), this.clock);

	private int ids;

	@Test
	void kicksExactlyAtTheTimeoutAndNotOneMillisecondBefore() {
		ChatSession session = join();
		sweepAt(T0 + TIMEOUT.toMillis() - 1);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).containsExactly(new Kick(session, T0 + TIMEOUT.toMillis(), T0 + TIMEOUT.toMillis()));
	}

	@Test
	void kicksALateSweepWithTheRealDeadline() {
		ChatSession session = join();
		sweepAt(T0 + TIMEOUT.toMillis() + 700);
		assertThat(this.actions.expired).containsExactly(new Kick(session, T0 + TIMEOUT.toMillis(), T0 + TIMEOUT.toMillis() + 700));
	}

	@Test
	void kicksOnce() {
		join();
		sweepAt(T0 + TIMEOUT.toMillis());
		sweepAt(T0 + TIMEOUT.toMillis() + 1000);
		sweepAt(T0 + 2 * TIMEOUT.toMillis());
		assertThat(this.actions.expired).hasSize(1);
	}

	@Test
	void activityMovesTheDeadline() {
		ChatSession session = join();
		this.clock.set(T0 + 200_000);
		session.touch(this.clock.millis());
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + 200_000 + TIMEOUT.toMillis() - 1);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + 200_000 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(session);
	}

	@Test
	void onlyTheIdleSessionIsKicked() {
		ChatSession idle = join();
		ChatSession active = join();
		for (long t = T0; t <= T0 + TIMEOUT.toMillis(); t += 1000) {
			active.touch(t);
			sweepAt(t);
		}
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(idle);
	}

	@Test
	void warnsExactlyWhenWarningSecondsAreLeftAndOnlyOnce() {
		ChatSession session = join();
		long warnAt = T0 + TIMEOUT.toMillis() - WARNING.toMillis();
		sweepAt(warnAt - 1);
		assertThat(this.actions.warnings).isEmpty();
		sweepAt(warnAt);
		assertThat(this.actions.warnings).containsExactly(new Warned(session, 30));
		for (long t = warnAt + 1000; t < T0 + TIMEOUT.toMillis(); t += 1000) {
			sweepAt(t);
		}
		assertThat(this.actions.warnings).hasSize(1);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).hasSize(1);
		assertThat(this.actions.warnings).hasSize(1);
	}

	@Test
	void warnsAgainAfterNewActivity() {
		ChatSession session = join();
		long warnAt = T0 + TIMEOUT.toMillis() - WARNING.toMillis();
		sweepAt(warnAt);
		assertThat(this.actions.warnings).hasSize(1);
		long activity = warnAt + 5000;
		session.touch(activity);
		sweepAt(activity + 1000);
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.warnings).hasSize(1);
		assertThat(this.actions.expired).isEmpty();
		long secondWarnAt = activity + TIMEOUT.toMillis() - WARNING.toMillis();
		sweepAt(secondWarnAt - 1);
		assertThat(this.actions.warnings).hasSize(1);
		sweepAt(secondWarnAt);
		assertThat(this.actions.warnings).hasSize(2);
		sweepAt(secondWarnAt + 1000);
		assertThat(this.actions.warnings).hasSize(2);
	}

	@Test
	void secondsLeftIsRoundedUpAndNeverZero() {
		ChatSession first = join();
		// A late first sweep, 1 ms before the deadline: the warning still says 1, not 0.
		sweepAt(T0 + TIMEOUT.toMillis() - 1);
		assertThat(this.actions.warnings).containsExactly(new Warned(first, 1));

		this.clock.set(T0 + 1_000_000);
		ChatSession second = join();
		sweepAt(this.clock.millis() + TIMEOUT.toMillis() - WARNING.toMillis() + 500);
		assertThat(this.actions.warnings).last().isEqualTo(new Warned(second, 30));

		this.clock.set(T0 + 2_000_000);
		ChatSession third = join();
		sweepAt(this.clock.millis() + TIMEOUT.toMillis() - 1001);
		assertThat(this.actions.warnings).last().isEqualTo(new Warned(third, 2));
	}

	@Test
	void noWarningWhenWarningsAreOff() {
		this.policy.update(TIMEOUT, Duration.ZERO);
		join();
		for (long t = T0; t < T0 + TIMEOUT.toMillis(); t += 1000) {
			sweepAt(t);
		}
		assertThat(this.actions.warnings).isEmpty();
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).hasSize(1);
	}

	@Test
	void aShorterOverrideBeatsTheGlobalTimeout() {
		ChatSession overridden = join();
		ChatSession global = join();
		override(overridden, Duration.ofSeconds(60));
		sweepAt(T0 + 59_999);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + 60_000);
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(overridden);
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(overridden, global);
	}

	@Test
	void aLongerOverrideBeatsTheGlobalTimeout() {
		ChatSession overridden = join();
		ChatSession global = join();
		override(overridden, Duration.ofSeconds(600));
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(global);
		sweepAt(T0 + 600_000 - 1);
		assertThat(this.actions.expired).hasSize(1);
		sweepAt(T0 + 600_000);
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(global, overridden);
	}

	@Test
	void anOverrideSetAfterTheSessionWasScheduledAppliesAtTheNextSweep() {
		ChatSession session = join();
		sweepAt(T0 + 1000);
		override(session, Duration.ofSeconds(10));
		sweepAt(T0 + 9_999);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + 10_000);
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(session);
	}

	@Test
	void removingAnOverrideReturnsToTheGlobalTimeout() {
		ChatSession session = join();
		override(session, Duration.ofSeconds(600));
		sweepAt(T0 + 1000);
		override(session, null);
		sweepAt(T0 + TIMEOUT.toMillis() - 1);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(session);
	}

	@Test
	void aShorterGlobalTimeoutAppliesToLiveSessionsAtTheNextSweep() {
		ChatSession session = join();
		sweepAt(T0 + 100_000);
		assertThat(this.actions.expired).isEmpty();
		this.policy.update(Duration.ofSeconds(60), Duration.ZERO);
		sweepAt(T0 + 100_001);
		assertThat(this.actions.expired).containsExactly(new Kick(session, T0 + 60_000, T0 + 100_001));
	}

	@Test
	void aShorterGlobalTimeoutStillNeverKicksEarly() {
		ChatSession session = join();
		sweepAt(T0 + 10_000);
		this.policy.update(Duration.ofSeconds(60), Duration.ZERO);
		sweepAt(T0 + 10_001);
		sweepAt(T0 + 59_999);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + 60_000);
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(session);
	}

	@Test
	void aLongerGlobalTimeoutAppliesToLiveSessionsAtTheNextSweep() {
		ChatSession session = join();
		// The session is queued for its warning and kick under the old timeout.
		sweepAt(T0 + 1000);
		this.policy.update(Duration.ofSeconds(600), Duration.ofSeconds(30));
		sweepAt(T0 + TIMEOUT.toMillis() - WARNING.toMillis());
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.actions.warnings).isEmpty();
		sweepAt(T0 + 570_000);
		sweepAt(T0 + 599_999);
		assertThat(this.actions.expired).isEmpty();
		assertThat(this.actions.warnings).containsExactly(new Warned(session, 30));
		assertThat(this.actions.warnedAt).containsExactly(T0 + 570_000);
		sweepAt(T0 + 600_000);
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(session);
	}

	@Test
	void anOverrideIsNotChangedByAGlobalUpdate() {
		ChatSession overridden = join();
		override(overridden, Duration.ofSeconds(600));
		this.policy.update(Duration.ofSeconds(60), Duration.ZERO);
		sweepAt(T0 + 60_000);
		assertThat(this.actions.expired).isEmpty();
		sweepAt(T0 + 600_000);
		assertThat(this.actions.expired).extracting(Kick::session).containsExactly(overridden);
	}

	@Test
	void untrackedSessionsAreNeverKicked() {
		ChatSession session = join();
		this.tracker.untrack(session);
		this.policy.update(Duration.ofSeconds(1), Duration.ZERO);
		sweepAt(T0 + 10 * TIMEOUT.toMillis());
		assertThat(this.actions.expired).isEmpty();
		assertThat(this.actions.warnings).isEmpty();
		assertThat(this.tracker.size()).isZero();
		this.tracker.reschedule(session);
		sweepAt(T0 + 20 * TIMEOUT.toMillis());
		assertThat(this.actions.expired).isEmpty();
	}

	@Test
	void aKickedSessionIsNoLongerTracked() {
		join();
		join();
		assertThat(this.tracker.size()).isEqualTo(2);
		sweepAt(T0 + TIMEOUT.toMillis());
		assertThat(this.tracker.size()).isZero();
	}

	@Test
	void manySessionsAreEachKickedAtTheirOwnDeadline() {
		List<ChatSession> sessions = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			this.clock.set(T0 + i * 1000L);
			sessions.add(join());
		}
		for (int i = 0; i < 100; i++) {
			long deadline = T0 + i * 1000L + TIMEOUT.toMillis();
			sweepAt(deadline - 1);
			assertThat(this.actions.expired).as("before deadline %d", i).hasSize(i);
			sweepAt(deadline);
			assertThat(this.actions.expired).as("at deadline %d", i).hasSize(i + 1);
			assertThat(this.actions.expired.get(i).session()).isSameAs(sessions.get(i));
		}
	}

	@Test
	void policyRefusesTimeoutsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.policy.update(Duration.ZERO, Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> this.policy.update(Duration.ofSeconds(-1), Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> this.policy.update(Duration.ofHours(25), Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> this.policy.update(TIMEOUT, Duration.ofSeconds(-1)));
		assertThat(this.policy.settings().timeout()).isEqualTo(TIMEOUT);
		IdlePolicy.Settings previous = this.policy.update(Duration.ofHours(24), WARNING);
		assertThat(previous.timeout()).isEqualTo(TIMEOUT);
		assertThat(this.policy.settings().version()).isGreaterThan(previous.version());
	}

	private ChatSession join() {
		ChatSession session = new ChatSession("s" + (++this.ids), new RecordingConnection(), this.clock.millis(),
				new RateLimiter(20, 40, this.clock.millis()));
		this.tracker.track(session);
		return session;
	}

	private void override(ChatSession session, Duration timeout) {
		// What ChatService.overrideTimeout does.
		session.timeoutOverride(timeout);
		this.tracker.reschedule(session);
	}

	private void sweepAt(long millis) {
		this.clock.set(millis);
		this.sweeper.sweep();
	}

	record Warned(ChatSession session, long secondsLeft) {
	}

	record Kick(ChatSession session, long deadline, long now) {
	}

	/** Records what the sweeper asks for, and ends a kicked session as the chat service does. */
	private final class RecordingActions implements IdleActions {

		final List<Warned> warnings = new ArrayList<>();

		final List<Long> warnedAt = new ArrayList<>();

		final List<Kick> expired = new ArrayList<>();

		@Override
		public void warn(ChatSession session, long secondsLeft) {
			this.warnings.add(new Warned(session, secondsLeft));
			this.warnedAt.add(IdleSweeperTests.this.clock.millis());
		}

		@Override
		public void expire(List<IdleActions.Expired> due, long now) {
			for (IdleActions.Expired expired : due) {
				ChatSession session = expired.session();
				assertThat(now).as("never kicked before its deadline").isGreaterThanOrEqualTo(expired.deadline());
				this.expired.add(new Kick(session, expired.deadline(), now));
				if (session.end(LeaveReason.IDLE)) {
					IdleSweeperTests.this.tracker.untrack(session);
				}
			}
		}

	}

}
