package io.imsystem.support;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat room of a started app, for integration tests that count who is online: each test starts
 * once the previous test's clients have all left, and its own clients are closed after it.
 * <pre>
 * &#64;RegisterExtension
 * final Room room = new Room();
 * </pre>
 */
public final class Room implements BeforeEachCallback, AfterEachCallback {

	private final List<ChatClient> clients = new CopyOnWriteArrayList<>();

	private int port;

	@Override
	public void beforeEach(ExtensionContext context) {
		ApplicationContext app = SpringExtension.getApplicationContext(context);
		this.port = Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
		// Online counts are exact only if the previous test's clients have all left.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(Prometheus.sessionsActive(this.port)).isZero());
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.clients.forEach(ChatClient::closeQuietly);
		this.clients.clear();
	}

	/** Connects, without waiting for anything. */
	public ChatClient connect(String name) {
		return track(ChatClient.connect(this.port, name));
	}

	/** Connects and waits for the welcome and the own join. */
	public ChatClient join(String name) {
		return track(ChatClient.join(this.port, name));
	}

	/** Connects a client that never reads. */
	public ChatClient connectNotReading(String name) {
		return track(ChatClient.connectNotReading(this.port, name));
	}

	private ChatClient track(ChatClient client) {
		this.clients.add(client);
		return client;
	}

}
