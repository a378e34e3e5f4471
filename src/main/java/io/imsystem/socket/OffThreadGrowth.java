package io.imsystem.socket;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on one of the connector's pools without ever starting one of its threads on the
 * caller's thread. A Tomcat pool grows on demand, and it starts the new thread inside
 * {@code execute}, on whoever hands it the task: above all the connector's one poller thread,
 * which dispatches every read of every connection. In a connect storm of 19,000 clients the
 * poller spent about half of its time in {@code Thread.start} (a wall-clock profile of
 * {@code bench/run.sh storm --clients 19000}) while the pools grew from 10 threads towards 200,
 * each start slow on a loaded JVM, and a {@code who} sent by a user already in the room was read
 * a second late, before the first newcomer had even joined. When a task would make the pool grow,
 * it is handed to a thread of its own that hands it on, and pays for the growth; any other task
 * goes straight in.
 */
final class OffThreadGrowth implements Executor {

	private static final Logger logger = LoggerFactory.getLogger(OffThreadGrowth.class);

	private final ThreadPoolExecutor pool;

	private final ExecutorService grower;

	/** @param name the grower thread's name */
	OffThreadGrowth(ThreadPoolExecutor pool, String name) {
		this.pool = pool;
		this.grower = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		});
	}

	ThreadPoolExecutor pool() {
		return this.pool;
	}

	@Override
	public void execute(Runnable task) {
		if (wouldGrow()) {
			try {
				this.grower.execute(() -> handOn(task));
				return;
			}
			catch (RejectedExecutionException ex) {
				// Stopping: the pool answers for itself below.
			}
		}
		this.pool.execute(task);
	}

	/**
	 * Whether {@code execute} would start a thread now: Tomcat's task queue refuses a task, so
	 * that the pool grows, when no thread is idle and the pool is below its maximum. The first
	 * test reads no lock; the pool's size takes one, read only under load.
	 */
	private boolean wouldGrow() {
		int submitted = this.pool.getSubmittedCount();
		if (submitted < this.pool.getCorePoolSize()) {
			return false;
		}
		int size = this.pool.getPoolSize();
		return submitted >= size && size < this.pool.getMaximumPoolSize();
	}

	private void handOn(Runnable task) {
		try {
			this.pool.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// The connector stopped meanwhile; it closes its connections itself.
			logger.debug("Pool refused a task handed on while it grew", ex);
		}
	}

	/** Stops the grower; tasks it still holds are dropped (the connector is stopping). */
	void shutdown() {
		this.grower.shutdownNow();
	}

}
