package io.imsystem.cluster;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.chat.ChatService;
import io.imsystem.chat.Roster;
import io.imsystem.presence.NameDirectory;
import io.imsystem.presence.Presence;
import io.imsystem.session.ChatSession;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * This node's place in the cluster, kept by one thread of its own:
 * <ul>
 * <li>at start, before the web server admits anyone, it registers the node (announcing the leaves
 * of whatever an earlier process with this id left behind);</li>
 * <li>every second it writes the activity of the last second, reaps the nodes whose heartbeat
 * expired and announces their users' leaves (reason {@code error}; exactly one survivor gets each
 * dead node), and every third of the node TTL it heartbeats and re-reads the shared idle settings;</li>
 * <li>each accepted heartbeat confirms the node's {@link Lease}; once it has lapsed (a freeze past
 * the node TTL), what the node's sessions did meanwhile is held by the broker until the next
 * heartbeat decides;</li>
 * <li>a heartbeat refused (this node was declared dead while frozen) drops every local session
 * ({@code kicked} reason {@code error}, close 1012) and what was held, without announcing anything
 * (another node announced those leaves), and registers again;</li>
 * <li>when the link to Redis comes back, it writes this node's names and members again (Redis may
 * have restarted empty); a session whose name another node's user took meanwhile is closed the
 * same way (1012), its leave announced;</li>
 * <li>on a graceful stop, after the shutdown kicks announced every leave, it leaves the cluster:
 * its names are free at once and no reaper announces anything.</li>
 * </ul>
 * Every Redis failure here is logged and tried again at the next tick: the node keeps serving its
 * own sessions while Redis is away.
 */
final class ClusterNode
		implements SmartInitializingSingleton, SmartLifecycle, ApplicationListener<AvailabilityChangeEvent<?>> {

	private static final Logger logger = LoggerFactory.getLogger(ClusterNode.class);

	static final long TICK_MILLIS = 1000;

	private final NodeRegistry registry;

	private final RedisPresence presence;

	private final NameDirectory names;

	private final RedisIdleSettingsStore settings;

	private final Roster roster;

	private final ChatService chat;

	private final Clock clock;

	private final long heartbeatMillis;

	private final ScheduledExecutorService scheduler;

	private final RedisBroker broker;

	private final Lease lease;

	private final ApplicationEventPublisher events;

	/** Touched only on the scheduler's thread. */
	private boolean registered;

	/** Touched only on the scheduler's thread. */
	private long lastHeartbeat;

	private volatile boolean running;

	ClusterNode(NodeRegistry registry, RedisPresence presence, NameDirectory names, RedisIdleSettingsStore settings,
			RedisBroker broker, Lease lease, Roster roster, ChatService chat, Clock clock,
			ApplicationEventPublisher events) {
		this.registry = registry;
		this.presence = presence;
		this.names = names;
		this.settings = settings;
		this.roster = roster;
		this.chat = chat;
		this.clock = clock;
		this.heartbeatMillis = registry.heartbeatInterval().toMillis();
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "cluster-node");
			thread.setDaemon(true);
			return thread;
		});
		broker.onLinkUp(() -> this.scheduler.execute(this::linkCameUp));
		// Readiness follows the link: a node that cannot reach Redis admits nobody (503), but its
		// sessions keep chatting, so liveness stays up (a restart would only drop them).
		broker.onLinkUp(() -> AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC));
		broker.onLinkDown(() -> AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC));
		this.broker = broker;
		this.lease = lease;
		this.events = events;
	}

	/** Boot declares the app ready once started: not while the link to Redis is still down. */
	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && !this.broker.linkUp()) {
			// After this event has reached every listener, the availability bean included.
			this.scheduler.execute(() -> {
				if (!this.broker.linkUp()) {
					AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
				}
			});
		}
	}

	/** Registers before any lifecycle starts, so before the web server admits the first session. */
	@Override
	public void afterSingletonsInstantiated() {
		try {
			this.scheduler.submit(this::register).get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			logger.warn("Could not register node {} at start; tried again every second", this.registry.node(), ex);
		}
		this.scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
		this.running = true;
	}

	@Override
	public void start() {
		if (!this.running) {
			this.running = true;
			this.scheduler.execute(this::register);
		}
	}

	/** After the chat's shutdown (phase {@code Integer.MAX_VALUE}) announced every leave. */
	@Override
	public void stop() {
		this.running = false;
		try {
			this.scheduler.submit(this::leave).get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			logger.warn("Node {} could not leave the cluster; its users leave when its heartbeat expires",
					this.registry.node(), ex);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1;
	}

	/** Stops the thread for good: the context is being destroyed. */
	void destroy() {
		this.scheduler.shutdownNow();
	}

	private void register() {
		long now = this.clock.millis();
		List<Presence.Member> left = this.registry.register(now, this.roster.size());
		this.registered = true;
		this.lastHeartbeat = now;
		this.lease.confirm(now);
		this.broker.publishHeld();
		// A previous process with this id died without announcing them: nobody else will.
		this.chat.leftElsewhere(left);
		relist();
	}

	private void leave() {
		if (this.registered) {
			this.registered = false;
			this.registry.leave(this.clock.millis());
		}
	}

	private void tick() {
		if (!this.running) {
			return;
		}
		try {
			if (!this.registered) {
				register();
				return;
			}
			long now = this.clock.millis();
			if (now - this.lastHeartbeat >= this.heartbeatMillis) {
				heartbeat(now);
			}
			this.presence.flushActivity();
			for (NodeRegistry.DeadNode dead : this.registry.reap(now)) {
				logger.warn("Node {} stopped heartbeating: announcing the leaves of its {} users", dead.node(),
						dead.members().size());
				this.chat.leftElsewhere(dead.members());
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Cluster tick failed (node {})", this.registry.node(), ex);
		}
	}

	private void heartbeat(long now) {
		NodeRegistry.Beat beat;
		try {
			beat = this.registry.beat(now, this.roster.size());
		}
		catch (RuntimeException ex) {
			// Redis away: what was held since the lease lapsed is lost, as every publish of an
			// outage is, rather than sent late.
			this.broker.dropHeld();
			throw ex;
		}
		if (beat != NodeRegistry.Beat.DEAD) {
			this.lastHeartbeat = now;
			this.lease.confirm(now);
			this.broker.publishHeld();
			if (beat == NodeRegistry.Beat.UNKNOWN) {
				// Redis restarted empty, perhaps too briefly for the broker's probes to notice.
				logger.warn("Redis did not know node {}: writing its users again", this.registry.node());
				relist();
			}
			this.settings.refresh();
			return;
		}
		logger.warn("Node {} was declared dead by another node: dropping its {} sessions and joining again",
				this.registry.node(), this.roster.size());
		// Their leaves, chats and quits since the lease lapsed were held (the presence window's
		// pending changes among them: dropStale flushes it); another node announced these users
		// gone, so none of it goes out.
		this.chat.dropStale(List.copyOf(this.roster.sessions()));
		this.broker.dropHeld();
		long rejoined = this.clock.millis();
		this.registry.rejoin(rejoined, this.roster.size());
		this.lastHeartbeat = now;
		this.lease.confirm(rejoined);
		// Sessions that came in while the node was dead were written under the old registration.
		relist();
		this.broker.publishHeld();
	}

	private void linkCameUp() {
		if (!this.registered || !this.running) {
			return;
		}
		try {
			long now = this.clock.millis();
			if (this.registry.heartbeat(now, this.roster.size())) {
				this.lastHeartbeat = now;
				this.lease.confirm(now);
				this.broker.publishHeld();
				relist();
				this.settings.refresh();
			}
			else {
				heartbeat(now);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not write node {}'s users again after the link came up", this.registry.node(), ex);
		}
	}

	/**
	 * Writes this node's names and members as they are now, and frees the names whose release
	 * failed. A name another node's user holds now (Redis lost it, and someone took it) stays that
	 * user's: this node's session is closed and its leave announced.
	 */
	private void relist() {
		List<ChatSession> lost = new ArrayList<>();
		for (ChatSession session : this.roster.sessions()) {
			NameDirectory.Owner owner = new NameDirectory.Owner(this.registry.node(), session.id());
			if (!this.names.claim(session.name(), owner) && !owner.equals(this.names.owner(session.name()))) {
				lost.add(session);
			}
		}
		if (!lost.isEmpty()) {
			this.chat.dropNameless(lost);
		}
		this.roster.retryReleases();
		this.presence.replaceAll(this.roster.members(this.clock.millis()));
	}

}
