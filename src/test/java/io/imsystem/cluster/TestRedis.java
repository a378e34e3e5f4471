package io.imsystem.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.junit.jupiter.api.Assumptions;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A connection to a real Redis, made with the same Lettuce settings as cluster mode, and a key
 * prefix of its own for each test class. The shared Redis is 127.0.0.1:6379; a test skips only
 * when it is absent AND {@code CI} is unset (CI starts it).
 */
public final class TestRedis implements AutoCloseable {

	public static final int SHARED_PORT = 6379;

	private final ClientResources resources;

	final LettuceConnectionFactory connections;

	final StringRedisTemplate template;

	final RedisKeys keys;

	private TestRedis(int port, String prefix) {
		ClientResources.Builder resources = DefaultClientResources.builder();
		ClusterConfiguration.clientResources(resources);
		this.resources = resources.build();
		ClientOptions.Builder options = ClientOptions.builder();
		ClusterConfiguration.clientOptions(options);
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientResources(this.resources)
			.clientOptions(options.build())
			.commandTimeout(ClusterConfiguration.COMMAND_TIMEOUT)
			.build();
		this.connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port), client);
		this.connections.afterPropertiesSet();
		this.connections.start();
		this.template = new StringRedisTemplate(this.connections);
		this.keys = new RedisKeys(prefix);
	}

	/** The shared Redis, with a fresh prefix naming the test class. */
	static TestRedis shared(Class<?> testClass) {
		requireShared();
		return new TestRedis(SHARED_PORT, prefix(testClass));
	}

	/** Another client of the same Redis and prefix: another node. */
	TestRedis another() {
		return new TestRedis(this.connections.getPort(), this.keys.prefix());
	}

	/** A client of the Redis on {@code port} with the given prefix: the one a test's nodes share. */
	public static TestRedis sharing(int port, String prefix) {
		return new TestRedis(port, prefix);
	}

	static TestRedis on(int port, Class<?> testClass) {
		return new TestRedis(port, prefix(testClass));
	}

	public static String prefix(Class<?> testClass) {
		return "test:" + testClass.getSimpleName() + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
	}

	public static void requireShared() {
		if (reachable(SHARED_PORT)) {
			return;
		}
		if (System.getenv("CI") != null) {
			throw new IllegalStateException("Redis is not running on 127.0.0.1:" + SHARED_PORT + " (.ci/run starts it)");
		}
		Assumptions.abort("Redis is not running on 127.0.0.1:" + SHARED_PORT + " and CI is unset");
	}

	private static boolean reachable(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		try {
			var keys = this.template.keys(this.keys.prefix() + "*");
			if (keys != null && !keys.isEmpty()) {
				this.template.delete(keys);
			}
		}
		catch (RuntimeException ex) {
			// A stopped private server has nothing to clean up.
		}
		this.connections.destroy();
		this.resources.shutdown();
	}

}
