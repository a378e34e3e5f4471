package io.imsystem.chat;

import java.time.Clock;

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

	@Bean
	Hub hub(Broker broker, ChatProperties properties) {
		Hub hub = new Hub();
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
		long asOf = node.equals(event.originNode()) ? event.originStamp() : hub.stamp();
		hub.deliver(event.payload(), event.exceptSessionId(), event.onlySessionId(), asOf);
	}

	@Bean
	@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
	NameDirectory nameDirectory() {
		return new LocalNameDirectory();
	}

	@Bean
	Roster roster(Hub hub, NameDirectory names, ChatProperties properties) {
		return new Roster(hub, names, properties.cluster().nodeId());
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
	ChatMetrics chatMetrics(MeterRegistry meters, Presence presence) {
		return new ChatMetrics(meters, presence::count);
	}

	@Bean
	ChatService chatService(Roster roster, Presence presence, Broker broker, CommandParser parser, IdlePolicy policy,
			IdleTracker tracker, KickHistory kickHistory, ChatMetrics metrics, ChatProperties properties, Clock clock) {
		return new ChatService(roster, presence, broker, parser, policy, tracker, kickHistory, metrics, properties,
				clock);
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
