package io.imsystem.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.upgrade.UpgradeProcessorBase;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketProcessorBase;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.util.threads.TaskQueue;
import org.apache.tomcat.util.threads.TaskThreadFactory;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's HTTP/1.1 NIO connector with these changes, all in its endpoint:
 * <ul>
 * <li>Every accepted connection is shown to a {@link RequestHeaderDeadline} before Tomcat takes
 * it: the one place that sees a connection before it sends a byte.
 * {@code NioEndpoint.setSocketOptions} is Tomcat's extension point for that (protected, called by
 * the acceptor for each socket).</li>
 * <li>Work for connections that are already WebSockets runs on a pool of its own (the session
 * lane), not behind HTTP requests and handshakes. Tomcat has one FIFO queue for both: in a connect
 * storm of 3,000 clients, a {@code who} or {@code ping} from a user already in the room waited
 * 2.5 to 3.6 s behind the handshakes queued before it (19,000 clients: 8.5 s), though answering
 * it takes well under a millisecond. A chatting user must not wait for strangers' handshakes, and
 * a flood of slow HTTP requests must not freeze the room. The lane has the connector's own thread
 * limits; both pools still share the cores, so a storm slows the room down but no longer queues
 * it.</li>
 * <li>No pool starts a thread on the thread that hands it a task, the poller above all
 * ({@link OffThreadGrowth}).</li>
 * </ul>
 * Tomcat creates connectors from a class name, hence a public class with a public no-argument
 * constructor; the deadline is handed in by a protocol handler customizer before the connector
 * starts. Without one, connections are not timed or counted.
 */
public class ChatConnectorProtocol extends Http11NioProtocol {

	public ChatConnectorProtocol() {
		super(new Endpoint());
	}

	void deadline(RequestHeaderDeadline deadline) {
		((Endpoint) getEndpoint()).deadline = deadline;
	}

	/** The NIO endpoint that counts each accepted connection and runs WebSocket work on its own lane. */
	public static class Endpoint extends NioEndpoint {

		private static final Logger logger = LoggerFactory.getLogger(Endpoint.class);

		private volatile RequestHeaderDeadline deadline;

		/** Runs socket events of upgraded connections; null while the connector is stopped. */
		private volatile OffThreadGrowth sessionLane;

		/**
		 * Runs the completions of WebSocket writes ({@link WriteCompletions}); null while the
		 * connector is stopped.
		 */
		private volatile OffThreadGrowth completions;

		/** Tomcat's own pool, fed so that it never grows on the poller; null while stopped. */
		private volatile OffThreadGrowth requests;

		/** What {@link #getExecutor()} hands out while the lane runs: see there. */
		private final Executor router = this::route;

		/**
		 * Tomcat's pool, or, while the session lane runs, an executor that sends socket events to
		 * Tomcat's pool and everything else to the lane. Everything else is what a connection hands
		 * over through {@code SocketWrapperBase.execute}: above all the completion of each
		 * non-blocking WebSocket write, which Tomcat never runs on the writing thread; those go to
		 * a pool of their own ({@link WriteCompletions}). Measured
		 * before: with both request threads held by slow uploads, a user's own messages were read
		 * (on the lane) but every write to them waited for a request thread, and in a connect storm
		 * each session's flush waited behind the queued handshakes (4.4 s for a {@code who}).
		 * Tomcat's thread statistics read its pool directly, not through this method.
		 */
		@Override
		public Executor getExecutor() {
			Executor tomcat = super.getExecutor();
			return (tomcat != null && this.sessionLane != null) ? this.router : tomcat;
		}

		private void route(Runnable task) {
			OffThreadGrowth lane = this.sessionLane;
			Executor tomcat = this.requests;
			if (tomcat == null) {
				tomcat = super.getExecutor();
			}
			if (lane != null && !(task instanceof SocketProcessorBase)) {
				OffThreadGrowth completions = this.completions;
				if (completions != null && WriteCompletions.is(task)) {
					completions.execute(task);
				}
				else {
					lane.execute(task);
				}
			}
			else if (tomcat != null) {
				tomcat.execute(task);
			}
			else {
				throw new RejectedExecutionException("the connector is stopped");
			}
		}

		@Override
		public void createExecutor() {
			super.createExecutor();
			// Only next to Tomcat's own pool: an executor set from outside (a shared one, virtual
			// threads) is the operator's choice for every connection, so it is left alone.
			if (this.internalExecutor && super.getExecutor() instanceof ThreadPoolExecutor tomcat) {
				this.requests = new OffThreadGrowth(tomcat, getName() + "-exec-grower");
				this.completions = new OffThreadGrowth(pool("-completion-"), getName() + "-completion-grower");
				this.sessionLane = new OffThreadGrowth(pool("-session-"), getName() + "-session-grower");
			}
		}

		/** A pool with the connector's thread limits, growing as Tomcat's does (its TaskQueue). */
		private ThreadPoolExecutor pool(String name) {
			TaskQueue queue = new TaskQueue();
			ThreadPoolExecutor pool = new ThreadPoolExecutor(getMinSpareThreads(), getMaxThreads(), 60,
					TimeUnit.SECONDS, queue, new TaskThreadFactory(getName() + name, getDaemon(), getThreadPriority()));
			queue.setParent(pool);
			return pool;
		}

		@Override
		public void shutdownExecutor() {
			super.shutdownExecutor();
			OffThreadGrowth lane = this.sessionLane;
			OffThreadGrowth completions = this.completions;
			OffThreadGrowth requests = this.requests;
			this.sessionLane = null;
			this.completions = null;
			this.requests = null;
			if (requests != null) {
				requests.shutdown();
			}
			stop(lane);
			stop(completions);
		}

		/** As Tomcat stops its own pool: interrupt, then wait the configured time for the tasks. */
		private void stop(OffThreadGrowth growth) {
			if (growth == null) {
				return;
			}
			growth.shutdown();
			ThreadPoolExecutor pool = growth.pool();
			pool.shutdownNow();
			long timeout = getExecutorTerminationTimeoutMillis();
			if (timeout > 0) {
				try {
					pool.awaitTermination(timeout, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			((TaskQueue) pool.getQueue()).setParent(null);
		}

		/**
		 * Sends an event of a WebSocket connection to the session lane, anything else to Tomcat. A
		 * connection is a WebSocket when an upgrade processor is parked on it, which Tomcat does
		 * before it asks the poller for the next read. While a worker handles one of its events
		 * (the completion of a write, typically) the processor is taken, and a read that arrives
		 * then would look like a new connection's: measured, a {@code who} sent in a connect storm
		 * waited 4.3 s in Tomcat's queue that way. So a connection whose lock a worker holds goes
		 * to the lane too; an HTTP connection is almost never dispatched while it is being served,
		 * and if it is, the lane serves it as well.
		 */
		@Override
		public boolean processSocket(SocketWrapperBase<NioChannel> wrapper, SocketEvent event, boolean dispatch) {
			OffThreadGrowth lane = this.sessionLane;
			if (lane == null || !dispatch || wrapper == null || !isSession(wrapper)) {
				RequestHeaderDeadline deadline = this.deadline;
				if (deadline != null && wrapper != null && event == SocketEvent.OPEN_READ) {
					deadline.dispatched(wrapper);
				}
				return super.processSocket(wrapper, event, dispatch);
			}
			SocketProcessorBase<NioChannel> processor = (this.processorCache != null) ? this.processorCache.pop()
					: null;
			if (processor == null) {
				processor = createSocketProcessor(wrapper, event);
			}
			else {
				processor.reset(wrapper, event);
			}
			try {
				lane.execute(processor);
				return true;
			}
			catch (RejectedExecutionException ex) {
				// The lane is stopping: Tomcat closes the connection when this returns false.
				logger.debug("Session lane refused an event for {}", wrapper, ex);
				return false;
			}
		}

		@Override
		protected boolean setSocketOptions(SocketChannel socket) {
			RequestHeaderDeadline deadline = this.deadline;
			InetSocketAddress remote = (deadline != null) ? remoteAddress(socket) : null;
			if (remote == null) {
				return super.setSocketOptions(socket);
			}
			RequestHeaderDeadline.Tracked tracked = deadline.accept(remote.getAddress().getHostAddress(),
					remote.getPort());
			if (tracked == null) {
				// Over the address's half-open limit: closed before Tomcat allocates anything for it.
				destroySocket(socket);
				return true;
			}
			boolean handedOver = super.setSocketOptions(socket);
			SocketWrapperBase<NioChannel> wrapper = handedOver ? this.connections.get(socket) : null;
			deadline.attach(tracked, wrapper, this);
			return handedOver;
		}

		private static InetSocketAddress remoteAddress(SocketChannel socket) {
			try {
				SocketAddress address = socket.getRemoteAddress();
				// A Unix domain socket has no address to count.
				return (address instanceof InetSocketAddress inet && inet.getAddress() != null) ? inet : null;
			}
			catch (IOException ex) {
				return null;
			}
		}

		/**
		 * Tells the completion of a WebSocket write from other tasks, so that it runs on a pool of
		 * its own. With the connector's asynchronous writes off, Tomcat hands every completed
		 * non-blocking write to the executor, even one that completed inside the call, and the
		 * endpoint's message semaphore stays taken until that task runs. A thread that ends a
		 * session (a client gone, or its close read) waits for that semaphore, up to the send time
		 * limit, on its pool thread: measured at the end of a storm of 19,000 (the clients leaving
		 * at once), all 200 session-lane threads waited so for completions queued behind 32,000
		 * tasks on that same lane, and every session's events waited 10.7 s. On a pool of their
		 * own, nothing those threads wait for is behind them. Run on the writing thread instead
		 * (tried), they cost the room its coalesced writes: a completion that runs later finds
		 * more frames queued for one flush, and without that the fan-out burst took 2.7 times the
		 * CPU per copy.
		 */
		static final class WriteCompletions {

			private static final Class<?> TYPE = type("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable");

			private WriteCompletions() {
			}

			static boolean is(Runnable task) {
				return task.getClass() == TYPE;
			}

			private static Class<?> type(String name) {
				try {
					return Class.forName(name, false, WriteCompletions.class.getClassLoader());
				}
				catch (ClassNotFoundException | LinkageError ex) {
					// Another Tomcat: its completions go to the lane as any task.
					return Void.class;
				}
			}

		}

		private static boolean isSession(SocketWrapperBase<NioChannel> wrapper) {
			Object processor = wrapper.getCurrentProcessor();
			return (processor instanceof UpgradeProcessorBase) || (processor == null && wrapper.getLock().isLocked());
		}

	}

}
