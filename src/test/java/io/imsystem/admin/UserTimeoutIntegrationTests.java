package io.imsystem.admin;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A user's own timeout belongs to the connection, not to the name (as the README says). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=test-secret" })
class UserTimeoutIntegrationTests {

	@LocalServerPort
	int port;

	Http admin() {
		return Http.basic(this.port, "root", "test-secret");
	}

	@Test
	void aUsersOwnTimeoutEndsWithTheConnectionAndTheNameComesBackWithTheGlobalOne() {
		try (ChatClient first = ChatClient.join(this.port, "jude")) {
			assertThat(admin().put("/api/admin/users/jude/timeout", "{\"timeoutSeconds\":3600}").status()).isEqualTo(200);
			JsonNode own = user("jude");
			assertThat(own.path("timeoutSeconds").asLong()).isEqualTo(3600);
			assertThat(own.path("override").asBoolean()).isTrue();
		}
		await().atMost(ChatClient.TIMEOUT).until(() -> user("jude") == null);
		try (ChatClient again = ChatClient.connect(this.port, "jude")) {
			JsonNode welcome = again.next("welcome");
			assertThat(welcome.path("name").asString()).isEqualTo("jude");
			assertThat(welcome.path("timeoutSeconds").asLong()).isEqualTo(300);
			again.next("presence");
			JsonNode global = user("jude");
			assertThat(global.path("timeoutSeconds").asLong()).isEqualTo(300);
			assertThat(global.path("override").asBoolean()).isFalse();
		}
	}

	private JsonNode user(String name) {
		for (JsonNode user : admin().get("/api/admin/users").json()) {
			if (user.path("name").asString().equals(name)) {
				return user;
			}
		}
		return null;
	}

}
