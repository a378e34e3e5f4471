package io.imsystem.tcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.idle.KickHistory;
import io.imsystem.session.ChatSession;
import io.imsystem.chat.Roster;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Prometheus;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The started application shared by the gateway's integration tests (one context for all of
 * them): the global idle timeout stays long, tests shorten it per session; the limits are high
 * enough for floods and for a 5,001-byte message; warnings are off, as in the original system.
 * Every test starts and ends with an empty room.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=50ms", "chat.idle.warning-before=0s",
				"chat.limits.max-text-length=6000", "chat.limits.messages-per-second=10000",
				"chat.limits.burst=10000" })
abstract class GatewayTestSupport {

	static final Duration QUIET = Duration.ofMillis(300);

	@LocalServerPort
	int httpPort;

	@Autowired
	TcpGateway gateway;

	@Autowired
	ChatProperties properties;

	@Autowired
	Roster registry;

	@Autowired
	ChatService chat;

	@Autowired
	KickHistory kickHistory;

	private final List<AutoCloseable> clients = new ArrayList<>();

	@BeforeEach
	void awaitEmptyRoom() {
		await().atMost(ChatClient.TIMEOUT).until(() -> Prometheus.sessionsActive(this.httpPort) == 0 && this.gateway.openConnections() == 0);
	}

	@AfterEach
	void closeClients() throws Exception {
		for (AutoCloseable client : this.clients) {
			client.close();
		}
		this.clients.clear();
		await().atMost(ChatClient.TIMEOUT).until(() -> Prometheus.sessionsActive(this.httpPort) == 0 && this.gateway.openConnections() == 0);
	}

	/** A line user who has seen its own join line. */
	LineClient tcp() {
		return track(LineClient.join(this.gateway.port()));
	}

	LineClient track(LineClient client) {
		this.clients.add(client);
		return client;
	}

	/** A WebSocket user who has seen its welcome and own join. */
	ChatClient ws(String name) {
		ChatClient client = ChatClient.join(this.httpPort, name);
		this.clients.add(client);
		return client;
	}

	/** The address the server sees for a user, by name. */
	String addressOf(String name) {
		ChatSession session = this.registry.find(name);
		assertThat(session).as("session %s", name).isNotNull();
		return session.remoteAddress();
	}

	/** Gives a user its own short idle timeout, as an administrator could. */
	void shortenTimeout(String name, Duration timeout) {
		ChatSession session = this.registry.find(name);
		assertThat(session).as("session %s", name).isNotNull();
		this.chat.overrideTimeout(session, timeout);
	}

}
