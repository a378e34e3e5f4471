package io.imsystem.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.imsystem.ChatProperties;
import io.imsystem.idle.IdleActions;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One idle sweep over 10k, 100k and 1M tracked sessions: with none due (the common case, the target
 * is at most 2 ms at 100k), and with 1 % due for a kick. The sessions due are put back at the head
 * of the queue before every sweep, so each measured sweep finds exactly that many.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms3g", "-Xmx3g" })
public class IdleSweepBenchmark {

	private static final long NOW = 1_800_000_000_000L;

	private static final Duration TIMEOUT = Duration.ofSeconds(300);

	@Param({ "10000", "100000", "1000000" })
	int sessions;

	@Param({ "0", "1" })
	int duePercent;

	private IdleTracker tracker;

	private final List<ChatSession> due = new ArrayList<>();

	private IdleActions actions;

	@Setup(Level.Trial)
	public void track(Blackhole blackhole) {
		IdlePolicy policy = new IdlePolicy(new ChatProperties.Idle(TIMEOUT, Duration.ofSeconds(30), Duration.ofSeconds(1),
				"idle", Duration.ofHours(24)));
		this.tracker = new IdleTracker(policy);
		int dueCount = this.sessions * this.duePercent / 100;
		for (int i = 0; i < this.sessions; i++) {
			// Due sessions went silent long ago; the others were active a moment ago.
			long lastActivity = (i < dueCount) ? NOW - TIMEOUT.toMillis() - 1000 : NOW - (i % 1000);
			ChatSession session = new ChatSession("s" + i, NoConnection.INSTANCE, lastActivity,
					new RateLimiter(20, 40, lastActivity));
			this.tracker.track(session);
			if (i < dueCount) {
				this.due.add(session);
			}
		}
		this.actions = new IdleActions() {

			@Override
			public void warn(ChatSession session, long secondsLeft) {
				blackhole.consume(session);
			}

			@Override
			public void expire(List<Expired> expired, long now) {
				blackhole.consume(expired);
			}

		};
	}

	@Setup(Level.Invocation)
	public void requeueDue() {
		// The no-op actions never untrack, so the expired sessions can come back for the next sweep.
		for (ChatSession session : this.due) {
			this.tracker.reschedule(session);
		}
	}

	@Benchmark
	public void sweep() {
		this.tracker.sweep(NOW, this.actions);
	}

}
