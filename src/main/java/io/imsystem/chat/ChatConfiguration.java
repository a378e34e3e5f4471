package io.imsystem.chat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Broker;
import io.imsystem.broker.LocalBroker;
import io.imsystem.broker.RoomEvent;
import io.imsystem.command.CommandParser;
import io.imsystem.hub.Hub;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.KickHistory;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.LocalNameDirectory;
import io.imsystem.presence.LocalPresence;
import io.imsystem.presence.NameDirectory;
import io.imsystem.presence.Presence;
import io.imsystem.presence.PresenceWindow;
import io.imsystem.protocol.Envelope;
import io.imsystem.session.ChatSession;
import io.imsystem.session.AddressLimiter;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One node, in memory: its hub, the name directory, the presence read model and the broker. Cluster
 * mode ({@code cluster.ClusterConfiguration}) replaces the directory, the presence and the broker,
 * not the hub.
 */
@Configuration(proxyBeanMethods = false)
class ChatConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean(destroyMethod = "close")
	Hub hub(Broker broker, ChatProperties properties) {
		Hub hub = Hub.withFanOut(Runtime.getRuntime().availableProcessors(), properties.session().fanOutAbove());
		deliverTo(broker, hub, properties.cluster().nodeId());
		return hub;
	}

	/** Every room event the broker brings reaches the hub (see {@link #deliver}). */
	static void deliverTo(Broker broker, Hub hub, String node) {
		broker.subscribe((event) -> deliver(hub, node, event));
	}

	/**
	 * Delivers a room event to this node's sessions that had joined when it happened: for an event
	 * of this node, by the stamp it was made with (the thread delivering it may run late, after a
	 * newcomer's welcome has already counted the room without it); for another node's, as it
	 * arrives.
	 */
	static void deliver(Hub hub, String node, RoomEvent event) {
		boolean own = node.equals(event.originNode());
		if (own && event.otherNodesOnly()) {
			return;
		}
		long asOf = own ? event.originStamp() : hub.stamp();
		hub.deliver(event.payload(), event.exceptSessionId(), event.onlySessionId(), asOf);
	}

	@Bean
	@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
	NameDirectory nameDirectory() {
		return new LocalNameDirectory();
	}

	@Bean
	Roster roster(Hub hub, NameDirectory names, Presence presence, ChatProperties properties) {
		return new Roster(hub, names, presence, properties.cluster().nodeId());
	}

	@Bean
	@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
	Presence presence(Hub hub, ChatProperties properties) {
		return new LocalPresence(hub.sessions(), properties.cluster().nodeId());
	}

	@Bean
	@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
	Broker broker(ChatProperties properties) {
		return new LocalBroker(properties.cluster().nodeId());
	}

	@Bean
	ChatMetrics chatMetrics(MeterRegistry meters, Hub hub) {
		// This node's sessions: in cluster mode the presence counts every node's.
		return new ChatMetrics(meters, hub::size);
	}

	/** Its flushes run on a thread of its own (not a bean: it would displace Boot's task scheduler). */
	@Bean
	PresenceWindow presenceWindow(Hub hub, Broker broker, ChatMetrics metrics, ChatProperties properties, Clock clock) {
		ChatProperties.Presence presence = properties.presence();
		Consumer<PresenceWindow.Flush> publisher = publisher(broker, properties.cluster().nodeId(),
				presence.namesLimit());
		return new PresenceWindow(presence.window(), presence.namesLimit(), clock, PresenceWindow.newScheduler(),
				recipients(hub), (flush) -> {
					metrics.presenceWindow(flush.changes().size());
					publisher.accept(flush);
				});
	}

	/**
	 * Hands each window of this node to the broker as one event for the other nodes, which deliver
	 * it as it arrives; this node's sessions get it from the window itself, per change.
	 */
	static Consumer<PresenceWindow.Flush> publisher(Broker broker, String node, int namesLimit) {
		return (flush) -> broker.publish(RoomEvent.toOtherNodes(flush.frame(namesLimit), node));
	}

	/**
	 * This node's sessions as the presence window sees them: the live ones, none while the hub is
	 * closing (every session is being kicked; see {@link Hub#closing}).
	 */
	static PresenceWindow.Recipients recipients(Hub hub) {
		return () -> {
			if (hub.isClosing()) {
				return List.of();
			}
			List<PresenceWindow.Recipient> live = new ArrayList<>(hub.size());
			for (ChatSession session : hub.sessions()) {
				if (session.isLive()) {
					live.add(new SessionRecipient(session));
				}
			}
			return live;
		};
	}

	private record SessionRecipient(ChatSession session) implements PresenceWindow.Recipient {

		@Override
		public long joinVersion() {
			return this.session.joinVersion();
		}

		@Override
		public void send(Envelope envelope) {
			this.session.send(envelope);
		}

	}

	@Bean
	ChatService chatService(Roster roster, Presence presence, Broker broker, PresenceWindow window, CommandParser parser,
			IdlePolicy policy, IdleTracker tracker, KickHistory kickHistory, ChatMetrics metrics,
			ChatProperties properties, Clock clock) {
		return new ChatService(roster, presence, broker, window, parser, policy, tracker, kickHistory, metrics,
				properties, clock);
	}

	@Bean
	Moderation moderation(Roster roster, Presence presence, Broker broker, ChatService chat, IdlePolicy policy,
			Clock clock) {
		return new Moderation(roster, presence, broker, chat, policy, clock);
	}

	@Bean
	AddressLimiter addressLimiter(ChatProperties properties) {
		return new AddressLimiter(properties.limits().connectionsPerAddress());
	}

	@Bean
	CommandParser commandParser(ChatProperties properties) {
		return new CommandParser(properties.limits().maxTextLength());
	}

}
