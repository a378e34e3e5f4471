package io.imsystem.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import io.imsystem.broker.Broker;
import io.imsystem.broker.Control;
import io.imsystem.broker.RoomEvent;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;

/**
 * The broker of a cluster, on Redis pub/sub: one {@code PUBLISH} per room event (never one per
 * recipient) and per control command; a presence window is one room event for the other nodes
 * ({@code RoomEvent.toOtherNodes}). This node's own events are delivered
 * here at once, on the publishing thread, as the local broker does, and skipped when they come back
 * from Redis: the users of one node keep chatting while Redis is away. Publishes do not wait for
 * Redis and are never buffered (Lettuce rejects commands while disconnected): what could not be
 * published is counted as dropped, never replayed late.
 * <p>
 * Subscriptions can vanish silently after a reconnect (centrifugo#1189, spring-data-redis#3307,
 * lettuce#3639: publishes succeed, nothing arrives). So this node publishes a probe to itself every
 * {@code probeInterval}; when none has come back for {@code probeTimeout}, it drops its subscription
 * and subscribes again. The same probes tell whether the link is up ({@link #linkUp()}), for
 * readiness and health.
 * <p>
 * Received messages are handled on one thread of their own, in arrival order (so each sender's
 * order holds), never on Lettuce's event loop; its queue is bounded, and what overflows it is
 * dropped and counted.
 * <p>
 * While this node's {@link Lease} has lapsed (it may have been declared dead while frozen), its
 * room events are held, not published, until the node's next heartbeat decides: confirmed
 * ({@link #publishHeld()}) or declared dead ({@link #dropHeld()}). Nothing is held while the link
 * is down: those events are dropped as every publish of an outage is, never sent late.
 */
public final class RedisBroker implements Broker {

	private static final Logger logger = LoggerFactory.getLogger(RedisBroker.class);

	private static final int INBOUND_QUEUE = 10_000;

	/** Room events held while the lease has lapsed, at most: a heartbeat decides within a second or so. */
	private static final int HELD_LIMIT = 10_000;

	private final RedisConnectionFactory connections;

	private final RedisKeys keys;

	private final String node;

	private final ClusterCodec codec;

	private final Clock clock;

	private final Lease lease;

	/** Encoded room events held while the lease has lapsed, in order. Guarded by itself. */
	private final ArrayDeque<String> held = new ArrayDeque<>();

	/** Set once an event is held, until the heartbeat decides: newer events queue behind it. */
	private volatile boolean holding;

	private final long probeIntervalMillis;

	private final long probeTimeoutNanos;

	private final List<Consumer<RoomEvent>> subscribers = new CopyOnWriteArrayList<>();

	private final List<Consumer<Control>> handlers = new CopyOnWriteArrayList<>();

	private final List<Runnable> linkUpListeners = new CopyOnWriteArrayList<>();

	private final List<Runnable> linkDownListeners = new CopyOnWriteArrayList<>();

	private final ThreadPoolExecutor inbound;

	private final ScheduledExecutorService scheduler;

	private final AtomicLong probeSequence = new AtomicLong();

	private final Stats stats = new Stats();

	/** The nano time the last probe came back, or when the current subscription was made. */
	private volatile long lastProbeNanos;

	private volatile boolean linkUp;

	/** Makes each change of {@link #linkUp} happen once, whichever thread sees it first. */
	private final Object linkLock = new Object();

	/** Guarded by {@code this}. */
	private RedisConnection subscription;

	private volatile boolean running;

	RedisBroker(RedisConnectionFactory connections, RedisKeys keys, String node, ClusterCodec codec, Clock clock,
			Lease lease, Duration probeInterval, Duration probeTimeout) {
		this.connections = connections;
		this.keys = keys;
		this.node = node;
		this.codec = codec;
		this.clock = clock;
		this.lease = lease;
		this.probeIntervalMillis = probeInterval.toMillis();
		this.probeTimeoutNanos = probeTimeout.toNanos();
		this.inbound = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(INBOUND_QUEUE),
				(task) -> daemon(task, "cluster-inbound"), (task, executor) -> this.stats.dropped.incrementAndGet());
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> daemon(task, "cluster-probe"));
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

	/** Subscribes (or keeps trying to) and starts the probes. */
	public void start() {
		this.running = true;
		this.lastProbeNanos = System.nanoTime();
		this.scheduler.execute(this::resubscribe);
		this.scheduler.scheduleWithFixedDelay(this::probe, this.probeIntervalMillis, this.probeIntervalMillis,
				TimeUnit.MILLISECONDS);
	}

	/** Stops receiving; publishes after this still go out while the connection lasts. */
	public void stop() {
		this.running = false;
		this.scheduler.shutdownNow();
		synchronized (this) {
			closeSubscription();
		}
		this.inbound.shutdown();
	}

	/**
	 * Whether this node's own probes come back (publishes and the subscription both work) and its
	 * lease holds (it is still a member of the cluster). A publish that fails takes it down at once,
	 * without waiting for the probe timeout.
	 */
	@Override
	public boolean linkUp() {
		return this.linkUp && this.lease.valid();
	}

	/** Called (on the probe thread) each time the link comes up again after being down. */
	public void onLinkUp(Runnable listener) {
		this.linkUpListeners.add(listener);
	}

	/** Called each time the link goes down, on the thread that found it so. */
	public void onLinkDown(Runnable listener) {
		this.linkDownListeners.add(listener);
	}

	public Stats stats() {
		return this.stats;
	}

	@Override
	public void publish(RoomEvent event) {
		Objects.requireNonNull(event);
		// Queued for Redis before anyone here can read it: whatever a client of this node does
		// after reading it is published after it (per-sender order across nodes).
		String message = this.codec.encodeEvent(event, this.clock.millis());
		if (!hold(message)) {
			send(this.keys.roomChannel(), message);
		}
		deliver(event);
	}

	/**
	 * Holds a room event while the lease has lapsed, behind those held already.
	 * @return {@code false} if it is to be published now
	 */
	private boolean hold(String message) {
		if (!this.holding && this.lease.valid()) {
			return false;
		}
		synchronized (this.held) {
			if (!this.holding && this.lease.valid()) {
				return false;
			}
			if (!this.linkUp) {
				// Redis away (or not yet known to be back): dropped like any publish of an outage,
				// never sent once it is back.
				this.stats.dropped.incrementAndGet();
				return true;
			}
			this.holding = true;
			if (this.held.size() < HELD_LIMIT) {
				this.held.add(message);
			}
			else {
				this.stats.dropped.incrementAndGet();
			}
			return true;
		}
	}

	/** The lease was confirmed: what was held goes out, in order, before anything newer. */
	void publishHeld() {
		synchronized (this.held) {
			for (String message = this.held.poll(); message != null; message = this.held.poll()) {
				send(this.keys.roomChannel(), message);
			}
			this.holding = false;
		}
	}

	/**
	 * This node was declared dead (another node announced its users' leaves), or its heartbeat
	 * failed (Redis away): what was held is dropped.
	 */
	void dropHeld() {
		synchronized (this.held) {
			this.stats.dropped.addAndGet(this.held.size());
			this.held.clear();
			this.holding = false;
		}
	}

	@Override
	public void subscribe(Consumer<RoomEvent> subscriber) {
		this.subscribers.add(subscriber);
	}

	@Override
	public void control(Control command) {
		if (command.node() == null) {
			handle(command);
			send(this.keys.controlChannel(), this.codec.encodeControl(this.node, command));
		}
		else if (command.node().equals(this.node)) {
			handle(command);
		}
		else {
			send(this.keys.nodeChannel(command.node()), this.codec.encodeControl(this.node, command));
		}
	}

	@Override
	public void subscribeControl(Consumer<Control> handler) {
		this.handlers.add(handler);
	}

	private void deliver(RoomEvent event) {
		for (Consumer<RoomEvent> subscriber : this.subscribers) {
			subscriber.accept(event);
		}
	}

	private void handle(Control command) {
		for (Consumer<Control> handler : this.handlers) {
			handler.accept(command);
		}
	}

	/** One asynchronous PUBLISH; a failure (Redis away, commands rejected) is counted, not retried. */
	private void send(String channel, String message) {
		try (RedisConnection connection = this.connections.getConnection()) {
			if (!(connection instanceof LettuceConnection lettuce)) {
				throw new IllegalStateException("cluster mode needs Lettuce, not " + connection.getClass().getName());
			}
			lettuce.getNativeConnection()
				.publish(channel.getBytes(StandardCharsets.UTF_8), message.getBytes(StandardCharsets.UTF_8))
				.whenComplete((receivers, failure) -> {
					if (failure != null) {
						this.stats.dropped.incrementAndGet();
						linkDown("a publish failed: " + failure.getMessage());
					}
				});
			this.stats.published.incrementAndGet();
		}
		catch (RuntimeException ex) {
			this.stats.dropped.incrementAndGet();
			logger.debug("Could not publish to {}", channel, ex);
			linkDown("a publish failed: " + ex.getMessage());
		}
	}

	private void received(Message message) {
		String text = new String(message.getBody(), StandardCharsets.UTF_8);
		try {
			this.inbound.execute(() -> dispatch(text));
		}
		catch (RuntimeException ex) {
			// Shut down: the node is stopping.
			this.stats.dropped.incrementAndGet();
		}
	}

	private void dispatch(String text) {
		try {
			JsonNode message = this.codec.read(text);
			String origin = ClusterCodec.text(message, "origin");
			String type = ClusterCodec.text(message, ClusterCodec.TYPE);
			if ("probe".equals(type)) {
				if (this.node.equals(origin)) {
					this.lastProbeNanos = System.nanoTime();
					boolean cameUp;
					synchronized (this.linkLock) {
						cameUp = !this.linkUp;
						this.linkUp = true;
					}
					if (cameUp) {
						this.scheduler.execute(this::linkCameUp);
					}
				}
				return;
			}
			if (this.node.equals(origin)) {
				// Delivered here when it was published.
				return;
			}
			this.stats.received.incrementAndGet();
			if ("event".equals(type)) {
				this.stats.lag(this.clock.millis() - message.get("at").asLong());
				deliver(this.codec.decodeEvent(message));
			}
			else if ("control".equals(type)) {
				handle(this.codec.decodeControl(message));
			}
			else {
				throw new IllegalArgumentException("unknown message type " + type);
			}
		}
		catch (RuntimeException ex) {
			logger.error("Could not handle a cluster message: {}", text, ex);
		}
	}

	private void linkCameUp() {
		logger.info("Cluster link to Redis is up (node {})", this.node);
		for (Runnable listener : this.linkUpListeners) {
			try {
				listener.run();
			}
			catch (RuntimeException ex) {
				logger.warn("A link-up listener failed", ex);
			}
		}
	}

	/** Marks the link down (once per outage): the next probe that comes back brings it up. */
	private void linkDown(String why) {
		synchronized (this.linkLock) {
			if (!this.linkUp) {
				return;
			}
			this.linkUp = false;
		}
		logger.warn("Cluster link to Redis is down: {} (node {})", why, this.node);
		for (Runnable listener : this.linkDownListeners) {
			try {
				listener.run();
			}
			catch (RuntimeException ex) {
				logger.warn("A link-down listener failed", ex);
			}
		}
	}

	/** Every probe interval: check that the last probe came back, then send the next one. */
	private void probe() {
		if (!this.running) {
			return;
		}
		if (System.nanoTime() - this.lastProbeNanos > this.probeTimeoutNanos) {
			linkDown("no probe came back for " + TimeUnit.NANOSECONDS.toMillis(this.probeTimeoutNanos) + " ms");
			resubscribe();
		}
		send(this.keys.nodeChannel(this.node), this.codec.encodeProbe(this.node, this.probeSequence.incrementAndGet()));
	}

	/** Drops the subscription, if any, and subscribes again; tried again at the next probe if it fails. */
	private synchronized void resubscribe() {
		if (!this.running) {
			return;
		}
		closeSubscription();
		this.stats.resubscribes.incrementAndGet();
		// The new subscription gets a full timeout for its first probe before it is judged.
		this.lastProbeNanos = System.nanoTime();
		RedisConnection connection = null;
		try {
			connection = this.connections.getConnection();
			connection.subscribe((message, pattern) -> received(message), bytes(this.keys.roomChannel()),
					bytes(this.keys.controlChannel()), bytes(this.keys.nodeChannel(this.node)));
			this.subscription = connection;
		}
		catch (RuntimeException ex) {
			logger.debug("Could not subscribe (node {})", this.node, ex);
			if (connection != null) {
				close(connection);
			}
		}
	}

	private void closeSubscription() {
		if (this.subscription != null) {
			close(this.subscription);
			this.subscription = null;
		}
	}

	private static void close(RedisConnection connection) {
		try {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Closing a subscription failed", ex);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** Counters for the metrics: events published, received, dropped; resubscriptions; the last lag. */
	public static final class Stats {

		private final AtomicLong published = new AtomicLong();

		private final AtomicLong received = new AtomicLong();

		private final AtomicLong dropped = new AtomicLong();

		private final AtomicLong resubscribes = new AtomicLong();

		private final AtomicLong lastLagMillis = new AtomicLong();

		private final List<Consumer<Long>> lagListeners = new CopyOnWriteArrayList<>();

		public long published() {
			return this.published.get();
		}

		public long received() {
			return this.received.get();
		}

		public long dropped() {
			return this.dropped.get();
		}

		/** Subscriptions made, the first one included. */
		public long resubscribes() {
			return this.resubscribes.get();
		}

		public long lastLagMillis() {
			return this.lastLagMillis.get();
		}

		/** Gets each received event's lag (ms), for a histogram. */
		public void onLag(Consumer<Long> listener) {
			this.lagListeners.add(listener);
		}

		void lag(long millis) {
			this.lastLagMillis.set(millis);
			for (Consumer<Long> listener : this.lagListeners) {
				listener.accept(millis);
			}
		}

	}

}
