package io.imsystem.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.imsystem.protocol.ErrorCode;
import io.imsystem.protocol.LeaveReason;

/**
 * Every meter of the chat service, in one place. Meters are created up front, one per tag value,
 * so that recording on a hot path is a field read and an increment, never a registry lookup.
 * A leaf: it knows the wire's codes and reasons, nothing of sessions or the idle logic, so that
 * every package may record to it without an import cycle.
 */
public class ChatMetrics {

	private final MeterRegistry meters;

	private final Counter opened;

	private final Map<LeaveReason, Counter> kicks = new EnumMap<>(LeaveReason.class);

	private final Counter chatMessages;

	private final Counter privateMessages;

	private final Counter presenceWindows;

	private final Counter presenceChanges;

	private final Timer sweep;

	private final Timer kickLag;

	private final DistributionSummary idleAge;

	private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);

	/** Cluster mode only; {@code null} until {@link #cluster} registered it. */
	private volatile Timer clusterLag;

	/** Cluster mode only; see {@link #cluster}. */
	private volatile ClusterReadings clusterReadings;

	/**
	 * @param online how many sessions are connected to this node, read at each scrape
	 */
	public ChatMetrics(MeterRegistry meters, IntSupplier online) {
		this.meters = meters;
		// Strong: the gauge is the only holder of the supplier, which a weak reference would lose.
		Gauge.builder("chat.sessions.active", online, IntSupplier::getAsInt)
			.description("Sessions connected to this node")
			.strongReference(true)
			.register(meters);
		this.opened = Counter.builder("chat.sessions.opened").description("Sessions opened").register(meters);
		this.presenceWindows = Counter.builder("chat.presence.windows")
			.description("Presence windows closed: each session got at most one presence frame per window")
			.register(meters);
		this.presenceChanges = Counter.builder("chat.presence.changes")
			.description("Presence changes (joins, leaves, renames) of this node sent in windows")
			.register(meters);
		for (LeaveReason reason : LeaveReason.values()) {
			if (reason.isKick()) {
				this.kicks.put(reason,
						Counter.builder("chat.kicks").tag("reason", reason.wire()).description("Kicks by reason").register(meters));
			}
		}
		this.chatMessages = messages(meters, "chat");
		this.privateMessages = messages(meters, "private");
		this.sweep = Timer.builder("chat.sweep").description("Duration of one idle sweep").register(meters);
		this.kickLag = Timer.builder("chat.kick.lag")
			.description("How long after its idle deadline a session was kicked")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(30))
			.register(meters);
		this.idleAge = DistributionSummary.builder("chat.session.idle.age")
			.baseUnit("seconds")
			.description("Idle seconds of a session when it was kicked or left")
			.publishPercentileHistogram()
			.minimumExpectedValue(1.0)
			.maximumExpectedValue(86_400.0)
			.register(meters);
		for (ErrorCode code : ErrorCode.values()) {
			this.errors.put(code,
					Counter.builder("chat.errors").tag("code", code.wire()).description("Errors sent to clients").register(meters));
		}
	}

	/**
	 * The line-protocol connections open on this node, read at each scrape: each holds a socket,
	 * joined or not yet, until the server has closed it.
	 */
	public void lineConnections(IntSupplier open) {
		Gauge.builder("chat.tcp.connections", open, IntSupplier::getAsInt)
			.description("Line-protocol (TCP) connections open on this node")
			.strongReference(true)
			.register(this.meters);
	}

	/**
	 * Registers cluster mode's meters: the link to Redis, the events this node published, received
	 * and dropped, its resubscriptions, the live nodes, and (see {@link #clusterLag}) how late other
	 * nodes' events arrive.
	 */
	public void cluster(ClusterReadings readings) {
		Gauge.builder("chat.cluster.link.up", readings.linkUp(), (up) -> up.getAsBoolean() ? 1 : 0)
			.description("1 while this node's probes come back through Redis, else 0")
			.strongReference(true)
			.register(this.meters);
		Gauge.builder("chat.cluster.nodes.alive", readings.nodesAlive(), IntSupplier::getAsInt)
			.description("Nodes whose heartbeat is live, as Redis lists them")
			.strongReference(true)
			.register(this.meters);
		// Function counters hold their object weakly: this field keeps the readings alive.
		this.clusterReadings = readings;
		clusterEvents("published", readings, (r) -> r.published().getAsLong(),
				"Events, windows and commands this node published");
		clusterEvents("received", readings, (r) -> r.received().getAsLong(),
				"Events and commands of other nodes received here");
		clusterEvents("dropped", readings, (r) -> r.dropped().getAsLong(),
				"Events not published or not handled (Redis away, queue full)");
		FunctionCounter.builder("chat.cluster.resubscribes", readings, (r) -> r.resubscribes().getAsLong())
			.description("Subscriptions to Redis made, the first included (more: the link was lost)")
			.register(this.meters);
		this.clusterLag = Timer.builder("chat.cluster.lag")
			.description("How long after it was published another node's event arrived here")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(this.meters);
	}

	private void clusterEvents(String direction, ClusterReadings readings, ToDoubleFunction<ClusterReadings> count,
			String description) {
		FunctionCounter.builder("chat.cluster.events", readings, count)
			.tag("direction", direction)
			.description(description)
			.register(this.meters);
	}

	/** Another node's event arrived this long after it was published. */
	public void clusterLag(long millis) {
		Timer lag = this.clusterLag;
		if (lag != null) {
			lag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
		}
	}

	/** What cluster mode's meters read at each scrape. */
	public record ClusterReadings(BooleanSupplier linkUp, IntSupplier nodesAlive, LongSupplier published,
			LongSupplier received, LongSupplier dropped, LongSupplier resubscribes) {
	}

	private static Counter messages(MeterRegistry meters, String type) {
		return Counter.builder("chat.messages").tag("type", type).description("Messages sent by clients").register(meters);
	}

	/** A presence window of this node closed with this many changes. */
	public void presenceWindow(int changes) {
		this.presenceWindows.increment();
		this.presenceChanges.increment(changes);
	}

	public void sessionOpened() {
		this.opened.increment();
	}

	public void kicked(LeaveReason reason) {
		this.kicks.get(reason).increment();
	}

	/** {@code count} chat messages: one, or the run of a line user's one read. */
	public void chatMessages(int count) {
		this.chatMessages.increment(count);
	}

	public void privateMessage() {
		this.privateMessages.increment();
	}

	public void error(ErrorCode code) {
		this.errors.get(code).increment();
	}

	public void sweep(long nanos) {
		this.sweep.record(nanos, TimeUnit.NANOSECONDS);
	}

	public void kickLag(long millis) {
		this.kickLag.record(millis, TimeUnit.MILLISECONDS);
	}

	public void sessionLeft(long idleSeconds) {
		this.idleAge.record(idleSeconds);
	}

}
