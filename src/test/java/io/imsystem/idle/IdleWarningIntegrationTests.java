package io.imsystem.idle;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 4 s timeout with the default 30 s warning, as a demo started with only
 * {@code --chat.idle.timeout} has: the warning comes at half the timeout, not the moment a user
 * joins, and the welcome says so.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.timeout=4s", "chat.idle.sweep-interval=100ms", "chat.admin.password=test-secret" })
class IdleWarningIntegrationTests {

	@RegisterExtension
	final Room room = new Room();

	@LocalServerPort
	int port;

	@Test
	void aWarningNotShorterThanTheTimeoutComesAtHalfOfIt() {
		ChatClient quiet = this.room.connect("quiet");
		JsonNode welcome = quiet.next("welcome");
		assertThat(welcome.path("timeoutSeconds").asLong()).isEqualTo(4);
		assertThat(welcome.path("warningSeconds").asLong()).isEqualTo(2);
		long joinedAt = welcome.path("ts").asLong();
		quiet.next("presence");

		JsonNode warning = quiet.next("idle-warning");
		assertThat(warning.path("ts").asLong()).as("not before half the timeout").isGreaterThanOrEqualTo(joinedAt + 2_000);
		assertThat(warning.path("secondsLeft").asLong()).isBetween(1L, 2L);
		assertThat(quiet.next("kicked").path("reason").asString()).isEqualTo("idle");
	}

	@Test
	void theOperatorSeesTheWarningThatApplies() {
		JsonNode chat = Http.basic(this.port, "admin", "test-secret").get("/actuator/chat").json();
		assertThat(chat.path("warningSeconds").asLong()).as("as set").isEqualTo(30);
		assertThat(chat.path("effectiveWarningSeconds").asLong()).as("as applied").isEqualTo(2);
		JsonNode timeout = Http.basic(this.port, "admin", "test-secret").get("/api/admin/timeout").json();
		assertThat(timeout.path("effectiveWarningSeconds").asLong()).isEqualTo(2);
	}

}
