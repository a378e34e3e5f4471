package io.imsystem.socket;

import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.coyote.http11.Http11Processor;
import org.apache.coyote.http11.upgrade.UpgradeProcessorBase;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.session.AddressLimiter;

/**
 * Closes HTTP connections whose request headers are not complete within
 * {@code chat.limits.header-timeout}, and counts connections that have not sent their first
 * request's headers against their address's limit ({@link AddressLimiter#tryAcquireHalfOpen}).
 * <p>
 * Tomcat has no deadline for a request's headers: its connection timeout starts again with every
 * byte read, so a client sending one byte every few seconds (slowloris) keeps a connection, and
 * one of the connector's {@code maxConnections}, for as long as it likes. Its connections are not
 * counted per address either, since the count is taken at the WebSocket handshake, which a slow
 * request never reaches. So the connector ({@link ChatConnectorProtocol}) shows every accepted
 * socket here first, and a reaper thread looks at the connections still reading headers a few
 * times per timeout:
 * <ul>
 * <li>a connection that has sent nothing yet is timed from its accept, so one that sends nothing
 * at all is caught too;</li>
 * <li>once it has sent something, it is timed from the first time the reaper sees its request
 * part-read (Tomcat parks an HTTP processor on it then). Not from the accept: a request whose
 * headers came in time may wait in Tomcat's queue longer than the timeout in a connect storm
 * (19,000 clients at once: 13 s), and timed from its accept it was closed as slow while it waited,
 * or just after it had become a WebSocket (533 clients closed with 1001 after their welcome);</li>
 * <li>on a kept-alive connection, a later request is timed from the first time the reaper sees it
 * part-read: Tomcat parks an HTTP processor on the connection then, and otherwise only for an
 * async request (a worker holds it while reading).</li>
 * </ul>
 * A connection whose headers are late is closed the way Tomcat closes one that timed out: an
 * error event dispatched to a worker, which holds the connection's lock, so the reaper never
 * closes a connection under a worker reading from it. A request's headers are known to be
 * complete when it reaches {@link HeadersReadValve}, the first thing Tomcat runs for a request;
 * one that Tomcat refuses before that (a malformed request line) is closed by Tomcat. An upgraded
 * connection (a WebSocket) is forgotten: it is HTTP no more.
 */
final class RequestHeaderDeadline implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RequestHeaderDeadline.class);

	private static final long MIN_SWEEP_MILLIS = 50;

	private static final long MAX_SWEEP_MILLIS = 1000;

	private final ConcurrentHashMap<Peer, Tracked> tracked = new ConcurrentHashMap<>();

	/** The same connections by Tomcat's wrapper, once attached. */
	private final ConcurrentHashMap<SocketWrapperBase<NioChannel>, Tracked> byWrapper = new ConcurrentHashMap<>();

	private final AddressLimiter addressLimiter;

	private final Clock clock;

	private final long timeoutMillis;

	private final ScheduledExecutorService reaper;

	RequestHeaderDeadline(AddressLimiter addressLimiter, Clock clock, Duration timeout) {
		this.addressLimiter = addressLimiter;
		this.clock = clock;
		this.timeoutMillis = timeout.toMillis();
		this.reaper = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "request-header-deadline");
			thread.setDaemon(true);
			return thread;
		});
		// A few looks per timeout: a late connection is closed at most a quarter timeout late.
		long period = Math.max(MIN_SWEEP_MILLIS, Math.min(MAX_SWEEP_MILLIS, this.timeoutMillis / 4));
		this.reaper.scheduleWithFixedDelay(this::sweepSafely, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * A newly accepted connection, counted as half-open.
	 * @return its record, or {@code null} if its address already has as many half-open connections
	 * as its limit: the caller closes it
	 */
	Tracked accept(String address, int port) {
		if (!this.addressLimiter.tryAcquireHalfOpen(address)) {
			logger.debug("Closed a connection from {} at accept: {} half-open already", address,
					this.addressLimiter.halfOpen(address));
			return null;
		}
		Tracked connection = new Tracked(new Peer(address, port), this.clock.millis());
		// Recorded before Tomcat reads the connection, so that its first request cannot arrive first.
		Tracked previous = this.tracked.put(connection.peer, connection);
		if (previous != null && previous.halfOpen.compareAndSet(true, false)) {
			// The same port again before a sweep noticed that the connection using it closed.
			this.addressLimiter.releaseHalfOpen(address);
		}
		return connection;
	}

	/**
	 * Tomcat's wrapper of an accepted connection, once Tomcat has taken it; {@code null} if Tomcat
	 * could not, and has closed it.
	 */
	void attach(Tracked connection, SocketWrapperBase<NioChannel> wrapper, NioEndpoint endpoint) {
		if (wrapper == null) {
			forget(connection);
			return;
		}
		connection.endpoint = endpoint;
		connection.wrapper = wrapper;
		this.byWrapper.put(wrapper, connection);
		if (wrapper.isClosed()) {
			// Closed before it was registered here: the sweep that would forget it never sees it.
			forget(connection);
		}
	}

	/**
	 * Tomcat hands the connection's first bytes (or more) to a worker: from now on it is timed only
	 * while a request of it is seen part-read, not while the request waits for a worker.
	 */
	void dispatched(SocketWrapperBase<NioChannel> wrapper) {
		Tracked connection = this.byWrapper.get(wrapper);
		if (connection != null) {
			connection.dispatched = true;
		}
	}

	/** A request from this peer has its headers: its connection is no longer half-open. */
	void headersRead(String address, int port) {
		Tracked connection = this.tracked.get(new Peer(address, port));
		if (connection == null) {
			return;
		}
		connection.partSince = 0;
		if (connection.halfOpen.compareAndSet(true, false)) {
			this.addressLimiter.releaseHalfOpen(address);
		}
	}

	private void sweepSafely() {
		try {
			sweep();
		}
		catch (RuntimeException ex) {
			// The next sweep tries again; a reaper that died would leave every slow client open.
			logger.warn("Request header sweep failed", ex);
		}
	}

	void sweep() {
		long now = this.clock.millis();
		for (Tracked connection : this.tracked.values()) {
			SocketWrapperBase<NioChannel> wrapper = connection.wrapper;
			if (wrapper == null) {
				continue;
			}
			if (wrapper.isClosed()) {
				forget(connection);
				continue;
			}
			Object processor = wrapper.getCurrentProcessor();
			if (processor instanceof UpgradeProcessorBase) {
				forget(connection);
				continue;
			}
			long since;
			if (connection.halfOpen.get() && !connection.dispatched) {
				since = connection.acceptedAt;
			}
			else if (isReadingHeaders(processor)) {
				if (connection.partSince == 0) {
					connection.partSince = now;
				}
				since = connection.partSince;
			}
			else {
				continue;
			}
			if (now - since >= this.timeoutMillis && !connection.expired) {
				expire(connection, wrapper);
			}
		}
	}

	/**
	 * An HTTP/1.1 processor parked on its connection neither async nor upgraded: Tomcat parks one
	 * (returns {@code LONG}) in that state only when a request's first bytes arrived and its
	 * headers have not; between requests it recycles the processor, and a worker reading the
	 * connection holds it. (Its stage says {@code ENDED} then, so the stage does not tell.)
	 */
	private static boolean isReadingHeaders(Object processor) {
		return processor instanceof Http11Processor http && !http.isAsync() && !http.isUpgrade();
	}

	private void expire(Tracked connection, SocketWrapperBase<NioChannel> wrapper) {
		connection.expired = true;
		logger.debug("Closing {}:{}: request headers not complete within {} ms", connection.peer.address,
				connection.peer.port, this.timeoutMillis);
		wrapper.setError(new SocketTimeoutException("Request headers not complete in time"));
		if (!connection.endpoint.processSocket(wrapper, SocketEvent.ERROR, true)) {
			wrapper.close();
		}
	}

	private void forget(Tracked connection) {
		SocketWrapperBase<NioChannel> wrapper = connection.wrapper;
		if (wrapper != null) {
			this.byWrapper.remove(wrapper, connection);
		}
		if (this.tracked.remove(connection.peer, connection) && connection.halfOpen.compareAndSet(true, false)) {
			this.addressLimiter.releaseHalfOpen(connection.peer.address);
		}
	}

	@Override
	public void close() {
		this.reaper.shutdownNow();
	}

	/** Where a connection comes from; unique among open connections. */
	private record Peer(String address, int port) {
	}

	/** One accepted HTTP connection. */
	static final class Tracked {

		private final Peer peer;

		private final long acceptedAt;

		/** Counted as half-open: its first request's headers have not arrived. */
		private final AtomicBoolean halfOpen = new AtomicBoolean(true);

		private volatile SocketWrapperBase<NioChannel> wrapper;

		private volatile NioEndpoint endpoint;

		/** Whether Tomcat has handed any of its bytes to a worker yet. */
		private volatile boolean dispatched;

		/** When the reaper first saw a later request part-read, or 0. */
		private volatile long partSince;

		private volatile boolean expired;

		private Tracked(Peer peer, long acceptedAt) {
			this.peer = peer;
			this.acceptedAt = acceptedAt;
		}

	}

}
