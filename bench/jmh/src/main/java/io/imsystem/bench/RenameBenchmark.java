package io.imsystem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.imsystem.chat.Roster;
import io.imsystem.hub.Hub;
import io.imsystem.presence.LocalNameDirectory;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Renames in a roster of 10,000 sessions from 4 threads at once: each thread flipping its own
 * session between two free names, and all threads fighting for one name (at most one holds it).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(4)
public class RenameBenchmark {

	@State(Scope.Benchmark)
	public static class Room {

		final Roster registry = new Roster(new Hub(), new LocalNameDirectory(), "bench");

		final AtomicInteger threads = new AtomicInteger();

		@Setup
		public void fill() {
			for (int i = 0; i < 10_000; i++) {
				this.registry.add(new ChatSession("s" + i, NoConnection.INSTANCE, 0, new RateLimiter(20, 40, 0)), "user" + i);
			}
		}

	}

	@State(Scope.Thread)
	public static class Me {

		ChatSession session;

		String a;

		String b;

		boolean flip;

		@Setup
		public void join(Room room) {
			int n = room.threads.incrementAndGet();
			this.a = "bench-" + n + "-a";
			this.b = "Bench-" + n + "-B";
			this.session = new ChatSession("me" + n, NoConnection.INSTANCE, 0, new RateLimiter(20, 40, 0));
			room.registry.add(this.session, this.a);
		}

	}

	@Benchmark
	public String renameOwn(Room room, Me me) {
		me.flip = !me.flip;
		return room.registry.rename(me.session, me.flip ? me.b : me.a);
	}

	@Benchmark
	public String renameContended(Room room, Me me) {
		String won = room.registry.rename(me.session, "hot");
		if (won != null) {
			room.registry.rename(me.session, me.a);
		}
		return won;
	}

}
