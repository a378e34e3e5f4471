package io.imsystem.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;

import io.imsystem.ImSystemApplication;
import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;
import io.imsystem.support.Prometheus;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One node of a test cluster: the whole app in redis mode, started in this JVM on a free port
 * with its own node id, on the Redis and key prefix the test gives. Clients made through it are
 * closed with it. Always {@link #close()} it (in {@code finally} or {@code @AfterAll}). Public for
 * the deployment tests, which put nginx and Prometheus in front of such nodes.
 */
public final class TestNode implements AutoCloseable {

	public static final String PASSWORD = "cluster-secret";

	private final ConfigurableApplicationContext context;

	private final String id;

	private final int port;

	private final List<ChatClient> clients = new ArrayList<>();

	private TestNode(ConfigurableApplicationContext context, String id) {
		this.context = context;
		this.id = id;
		this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	/**
	 * Starts a node.
	 * @param redisPort the Redis it shares with the other nodes
	 * @param prefix the key prefix of the test class (every node of one test shares it)
	 * @param extra more properties, {@code name=value}
	 */
	public static TestNode start(String id, int redisPort, String prefix, String... extra) {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "chat.tcp.enabled=false",
				"chat.cluster.mode=redis", "chat.cluster.node-id=" + id, "chat.cluster.key-prefix=" + prefix,
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redisPort,
				"chat.admin.password=" + PASSWORD));
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ImSystemApplication.class)
			.properties(properties.toArray(String[]::new))
			.run();
		TestNode node = new TestNode(context, id);
		// Its link to Redis comes up a probe after start; until then it refuses handshakes (503). Read
		// as an operator would: the link gauge and the readiness probe.
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> Prometheus.value(node.port(), "chat_cluster_link_up") == 1
					&& Http.anonymous(node.port()).get("/actuator/health/readiness").status() == 200);
		return node;
	}

	public String id() {
		return this.id;
	}

	public int port() {
		return this.port;
	}

	ConfigurableApplicationContext context() {
		return this.context;
	}

	/** Connects and waits for the welcome and the own join. */
	public ChatClient join(String name) {
		ChatClient client = ChatClient.join(this.port, name);
		synchronized (this.clients) {
			this.clients.add(client);
		}
		return client;
	}

	/** Connects without waiting for anything. */
	ChatClient connect(String name) {
		ChatClient client = ChatClient.connect(this.port, name);
		synchronized (this.clients) {
			this.clients.add(client);
		}
		return client;
	}

	public AdminApi admin() {
		return AdminApi.of(this.port, PASSWORD);
	}

	Http http() {
		return Http.basic(this.port, "admin", PASSWORD);
	}

	boolean isRunning() {
		return this.context.isActive();
	}

	@Override
	public void close() {
		synchronized (this.clients) {
			this.clients.forEach(ChatClient::closeQuietly);
		}
		this.context.close();
	}

}
