package io.imsystem.socket;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.tomcat.util.threads.TaskQueue;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Tomcat pool fed through {@link OffThreadGrowth} grows as it would, but never starts a thread
 * on the thread that hands it a task (in the connector, the poller).
 */
class OffThreadGrowthTests {

	/** The thread that started each of the pool's threads. */
	private final List<String> starters = new CopyOnWriteArrayList<>();

	private final ThreadPoolExecutor pool = pool(1, 3);

	private final OffThreadGrowth growth = new OffThreadGrowth(this.pool, "test-grower");

	@AfterEach
	void stop() {
		this.growth.shutdown();
		this.pool.shutdownNow();
	}

	@Test
	void tasksThatMakeThePoolGrowAreHandedOnByTheGrowerAndAllRun() throws InterruptedException {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(3);
		CountDownLatch done = new CountDownLatch(5);
		Runnable blocking = () -> {
			started.countDown();
			await(release);
			done.countDown();
		};
		// Three tasks that hold their threads: the pool grows from one thread to its maximum.
		for (int i = 0; i < 3; i++) {
			this.growth.execute(blocking);
		}
		assertThat(started.await(10, TimeUnit.SECONDS)).as("three tasks running at once").isTrue();
		// At its maximum, more tasks wait in the queue.
		this.growth.execute(done::countDown);
		this.growth.execute(done::countDown);
		release.countDown();
		assertThat(done.await(10, TimeUnit.SECONDS)).as("every task ran").isTrue();
		assertThat(this.pool.getPoolSize()).isEqualTo(3);
		// The core thread is started with the pool; the two others by the grower, not by this thread.
		assertThat(this.starters).hasSize(3);
		assertThat(this.starters.subList(1, 3)).containsOnly("test-grower");
	}

	private ThreadPoolExecutor pool(int core, int max) {
		TaskQueue queue = new TaskQueue();
		ThreadPoolExecutor executor = new ThreadPoolExecutor(core, max, 60, TimeUnit.SECONDS, queue, (task) -> {
			this.starters.add(Thread.currentThread().getName());
			Thread thread = new Thread(task, "test-pool");
			thread.setDaemon(true);
			return thread;
		});
		queue.setParent(executor);
		return executor;
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
