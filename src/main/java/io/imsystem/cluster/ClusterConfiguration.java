package io.imsystem.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import io.imsystem.ChatProperties;
import io.imsystem.admin.AdminAudit;
import io.imsystem.broker.Control;
import io.imsystem.chat.ChatService;
import io.imsystem.chat.Roster;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.KickHistory;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.NameDirectory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Cluster mode ({@code chat.cluster.mode=redis}): the Redis implementations of the name directory,
 * the presence, the broker and the shared stores, on Spring Boot's own Redis connection
 * ({@code spring.data.redis.*}, Lettuce). The Lettuce defaults are changed where they fail a chat
 * server: commands are rejected, not buffered without bound, while Redis is away; reconnects are
 * tried at least every second, not backed off to 30 s; a command that gets no answer fails within
 * a second unless {@code spring.data.redis.timeout} says otherwise.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "redis")
public class ClusterConfiguration {

	/** Commands queued per connection at most, while connected (a burst of publishes). */
	static final int REQUEST_QUEUE_SIZE = 10_000;

	static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

	static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

	static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

	/** No command waits for a connection that is down, and none piles up while it is down. */
	static void clientOptions(ClientOptions.Builder options) {
		options.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.requestQueueSize(REQUEST_QUEUE_SIZE);
	}

	/** Reconnects back off from 50 ms to at most a second, however long the outage. */
	static void clientResources(ClientResources.Builder resources) {
		resources.reconnectDelay(Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS));
	}

	@Bean
	LettuceClientOptionsBuilderCustomizer chatLettuceClientOptions() {
		return ClusterConfiguration::clientOptions;
	}

	@Bean
	ClientResourcesBuilderCustomizer chatLettuceClientResources() {
		return ClusterConfiguration::clientResources;
	}

	@Bean
	LettuceClientConfigurationBuilderCustomizer chatLettuceCommandTimeout(Environment environment) {
		return (builder) -> {
			if (!environment.containsProperty("spring.data.redis.timeout")) {
				builder.commandTimeout(COMMAND_TIMEOUT);
			}
		};
	}

	@Bean
	RedisKeys redisKeys(ChatProperties properties) {
		return new RedisKeys(properties.cluster().keyPrefix());
	}

	@Bean
	ClusterCodec clusterCodec() {
		return new ClusterCodec();
	}

	@Bean
	NameDirectory nameDirectory(StringRedisTemplate redis, RedisKeys keys) {
		return new RedisNameDirectory(redis, keys);
	}

	@Bean
	RedisPresence presence(StringRedisTemplate redis, RedisKeys keys, ChatProperties properties, ClusterCodec codec) {
		return new RedisPresence(redis, keys, properties.cluster().nodeId(), codec);
	}

	@Bean
	Lease lease(ChatProperties properties, Clock clock) {
		return new Lease(clock, properties.cluster().nodeTtl());
	}

	@Bean(initMethod = "start", destroyMethod = "stop")
	RedisBroker broker(RedisConnectionFactory connections, RedisKeys keys, ChatProperties properties,
			ClusterCodec codec, Clock clock, Lease lease) {
		return new RedisBroker(connections, keys, properties.cluster().nodeId(), codec, clock, lease, PROBE_INTERVAL,
				PROBE_TIMEOUT);
	}

	/** Cluster meters, once the broker and the presence exist. */
	@Bean
	SmartInitializingSingleton clusterMeters(ChatMetrics metrics, RedisBroker broker, RedisPresence presence,
			Clock clock) {
		return () -> {
			RedisBroker.Stats stats = broker.stats();
			metrics.cluster(new ChatMetrics.ClusterReadings(broker::linkUp,
					() -> presence.nodes(clock.millis()).size(), stats::published, stats::received, stats::dropped,
					stats::resubscribes));
			stats.onLag(metrics::clusterLag);
		};
	}

	@Bean
	NodeRegistry nodeRegistry(StringRedisTemplate redis, RedisKeys keys, ChatProperties properties,
			ClusterCodec codec) {
		return new NodeRegistry(redis, keys, properties.cluster().nodeId(), properties.cluster().nodeTtl(), codec);
	}

	@Bean(destroyMethod = "destroy")
	ClusterNode clusterNode(NodeRegistry registry, RedisPresence presence, NameDirectory names,
			RedisIdleSettingsStore settings, RedisBroker broker, Lease lease, Roster roster, ChatService chat,
			Clock clock, ApplicationEventPublisher events) {
		return new ClusterNode(registry, presence, names, settings, broker, lease, roster, chat, clock, events);
	}

	@Bean
	RedisIdleSettingsStore idleSettingsStore(StringRedisTemplate redis, RedisKeys keys, ChatProperties properties,
			RedisBroker broker) {
		ChatProperties.Idle idle = properties.idle();
		RedisIdleSettingsStore store = new RedisIdleSettingsStore(redis, keys,
				new IdlePolicy.Settings(idle.timeout(), idle.warningBefore(), 0), broker::control);
		broker.subscribeControl((command) -> {
			if (command instanceof Control.SettingsChanged) {
				store.refresh();
			}
		});
		try {
			store.load();
		}
		catch (RuntimeException ex) {
			// Redis is away at start: the configured settings hold until the first refresh.
		}
		return store;
	}

	@Bean
	KickHistory kickHistory(StringRedisTemplate redis, RedisKeys keys, ChatProperties properties,
			ClusterCodec codec) {
		return new RedisKickHistory(redis, keys, properties.kickHistory().capacity(), codec);
	}

	@Bean
	AdminAudit adminAudit(StringRedisTemplate redis, RedisKeys keys, ChatProperties properties, ClusterCodec codec) {
		return new RedisAdminAudit(redis, keys, properties.audit().capacity(), codec);
	}

}
