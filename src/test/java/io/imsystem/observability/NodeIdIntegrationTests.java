package io.imsystem.observability;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node id ({@code chat.cluster.node-id}) names this node wherever a record outlives the session
 * it is about: kicks, audit entries, and {@code /actuator/chat}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=test-secret", "chat.cluster.node-id=node-a" })
class NodeIdIntegrationTests {

	@LocalServerPort
	int port;

	Http admin() {
		return Http.basic(this.port, "root", "test-secret");
	}

	@Test
	void kicksAuditEntriesAndTheChatEndpointCarryTheNodeId() {
		try (ChatClient ivy = ChatClient.join(this.port, "ivy")) {
			Http.Response timeout = admin().put("/api/admin/users/ivy/timeout", "{\"timeoutSeconds\":600}");
			assertThat(timeout.status()).isEqualTo(200);
			Http.Response kick = admin().post("/api/admin/users/ivy/kick", null);
			assertThat(kick.status()).isEqualTo(200);
			assertThat(kick.json().path("node").asString()).isEqualTo("node-a");
			assertThat(ivy.awaitClose().code()).isEqualTo(4403);
		}
		JsonNode kicks = admin().get("/api/admin/kicks?reason=admin").json();
		assertThat(kicks.get(0).path("name").asString()).isEqualTo("ivy");
		assertThat(kicks.get(0).path("node").asString()).isEqualTo("node-a");
		JsonNode ofIvy = admin().get("/actuator/kicks/ivy").json().path("kicks");
		assertThat(ofIvy.get(0).path("node").asString()).isEqualTo("node-a");
		JsonNode all = admin().get("/actuator/kicks").json().path("kicks");
		assertThat(all.get(0).path("node").asString()).isEqualTo("node-a");

		// Newest first: the kick, then the timeout change before it.
		JsonNode audit = admin().get("/api/admin/audit").json();
		assertThat(audit.get(0).path("action").asString()).isEqualTo("kick");
		assertThat(audit.get(1).path("action").asString()).isEqualTo("user-timeout");
		for (JsonNode entry : new JsonNode[] { audit.get(0), audit.get(1) }) {
			assertThat(entry.path("target").asString()).isEqualTo("ivy");
			assertThat(entry.path("node").asString()).isEqualTo("node-a");
		}

		assertThat(admin().get("/actuator/chat").json().path("nodeId").asString()).isEqualTo("node-a");
	}

}
