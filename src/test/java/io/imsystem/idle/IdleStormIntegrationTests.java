package io.imsystem.idle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Prometheus;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hundred silent users reach their timeout together: each is kicked with 4408, and each of
 * the users who stay (kept by a timeout of their own) is told of every leave exactly once, with
 * reason {@code idle}, in windows rather than 200 frames apiece.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.timeout=3s", "chat.idle.sweep-interval=200ms", "chat.admin.password=storm-secret",
				"chat.limits.handshakes-per-second=100000", "chat.limits.handshake-burst=100000",
				"chat.limits.connections-per-address=1000" })
class IdleStormIntegrationTests {

	private static final int SILENT = 200;

	private static final int STAYING = 3;

	@LocalServerPort
	int port;

	@Test
	void everyRemainingClientGetsEachIdleLeaveOnce() {
		AdminApi admin = AdminApi.of(this.port, "storm-secret");
		List<ChatClient> staying = new ArrayList<>();
		List<ChatClient> silent = new ArrayList<>();
		try {
			for (int i = 0; i < STAYING; i++) {
				staying.add(ChatClient.join(this.port, "stays" + i));
				assertThat(admin.overrideTimeout("stays" + i, 3600)).isEqualTo(200);
			}
			List<CompletableFuture<ChatClient>> connecting = IntStream.range(0, SILENT)
				.mapToObj((i) -> CompletableFuture.supplyAsync(() -> ChatClient.join(this.port, "silent" + i)))
				.toList();
			connecting.forEach((future) -> silent.add(future.join()));

			for (ChatClient client : silent) {
				JsonNode kicked = client.nextOfType("kicked");
				assertThat(kicked.path("reason").asString()).isEqualTo("idle");
				assertThat(client.awaitClose().code()).isEqualTo(4408);
			}
			for (ChatClient client : staying) {
				Map<String, Integer> leaves = new HashMap<>();
				int frames = 0;
				int leavesSeen = 0;
				int online = -1;
				// Until every leave has come: the count alone can pass through 3 before the storm,
				// when the other two stayers' joins arrive ahead of the silent ones.
				while (leavesSeen < SILENT) {
					JsonNode frame = client.nextOfType("presence");
					frames++;
					online = frame.path("online").asInt();
					for (JsonNode change : ChatClient.changesOf(frame)) {
						if (change.path("event").asString().equals("leave")) {
							assertThat(change.path("reason").asString()).isEqualTo("idle");
							leaves.merge(change.path("name").asString(), 1, Integer::sum);
							leavesSeen++;
						}
					}
				}
				assertThat(online).as("online after the last leave").isEqualTo(STAYING);
				assertThat(leaves).as("leaves seen, each once").hasSize(SILENT).allSatisfy((name, count) -> {
					assertThat(name).startsWith("silent");
					assertThat(count).isEqualTo(1);
				});
				assertThat(frames).as("presence frames, at most one per window")
					.isLessThanOrEqualTo((int) Prometheus.value(this.port, "chat_presence_windows_total"));
			}
			assertThat(admin.onlineNames()).containsExactlyInAnyOrder("stays0", "stays1", "stays2");
		}
		finally {
			silent.forEach(ChatClient::close);
			staying.forEach(ChatClient::close);
			await().until(() -> Prometheus.sessionsActive(this.port) == 0);
		}
	}

}
