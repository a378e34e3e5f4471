package io.imsystem.tcp;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.FreePort;
import io.imsystem.support.Prometheus;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The started application shared by the gateway's integration tests (one context for all of
 * them): the global idle timeout stays long, tests shorten it per session through the admin API;
 * the limits are high enough for floods and for a 5,001-byte message; warnings are off, as in the
 * original system. The line gateway listens on a port chosen here, as an operator would give
 * {@code nc} users theirs. Every test starts and ends with an empty room and no line connection
 * open, as {@code /actuator/prometheus} shows them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=50ms", "chat.idle.warning-before=0s",
				"chat.limits.max-text-length=6000", "chat.limits.messages-per-second=10000",
				"chat.limits.burst=10000", "chat.tcp.max-line-bytes=" + GatewayTestSupport.MAX_LINE_BYTES,
				"chat.idle.kick-message=" + GatewayTestSupport.KICK_MESSAGE,
				"chat.admin.password=" + GatewayTestSupport.ADMIN_PASSWORD })
abstract class GatewayTestSupport {

	/** {@code chat.tcp.max-line-bytes}, its default. */
	static final int MAX_LINE_BYTES = 8192;

	/** {@code chat.idle.kick-message}, the original system's. */
	static final String KICK_MESSAGE = "你被踢了";

	static final String ADMIN_PASSWORD = "gateway";

	/** The shortest timeout of its own an administrator can give a user. */
	static final long SHORTEST_TIMEOUT_SECONDS = 1;

	/** {@code chat.tcp.port}: chosen free before the application starts, the one context's for all. */
	static final int LINE_PORT = FreePort.find();

	@LocalServerPort
	int httpPort;

	private final List<AutoCloseable> clients = new ArrayList<>();

	@DynamicPropertySource
	static void linePort(DynamicPropertyRegistry registry) {
		registry.add("chat.tcp.port", () -> LINE_PORT);
	}

	@BeforeEach
	void awaitEmptyRoom() {
		awaitNobodyConnected();
	}

	@AfterEach
	void closeClients() throws Exception {
		for (AutoCloseable client : this.clients) {
			client.close();
		}
		this.clients.clear();
		awaitNobodyConnected();
	}

	private void awaitNobodyConnected() {
		await().atMost(ChatClient.TIMEOUT)
			.until(() -> Prometheus.sessionsActive(this.httpPort) == 0 && Prometheus.lineConnections(this.httpPort) == 0);
	}

	/** A line user who has seen its own join line. */
	LineClient tcp() {
		return track(LineClient.join(LINE_PORT));
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

	AdminApi admin() {
		return AdminApi.of(this.httpPort, ADMIN_PASSWORD);
	}

	/** A user online as the admin API lists it, or {@code null}. */
	JsonNode user(String name) {
		return admin().user(name);
	}

	/** The address the server sees for a user, by name, as the admin API shows it. */
	String addressOf(String name) {
		JsonNode user = user(name);
		assertThat(user).as("user %s", name).isNotNull();
		return user.path("remoteAddress").asString();
	}

	/** Gives a user the shortest idle timeout of its own, as an administrator could. */
	void shortenTimeout(String name) {
		assertThat(admin().overrideTimeout(name, SHORTEST_TIMEOUT_SECONDS)).as("timeout of %s", name).isEqualTo(200);
	}

	/** The line connections open on the server. */
	int lineConnections() {
		return Prometheus.lineConnections(this.httpPort);
	}

}
