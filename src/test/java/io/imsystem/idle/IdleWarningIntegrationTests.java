package io.imsystem.idle;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 4 s timeout with the default 30 s warning, as a demo started with only
 * {@code --chat.idle.timeout} has: the warning comes at half the timeout, not the moment a user
 * joins, and the welcome says so.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.timeout=4s", "chat.idle.sweep-interval=100ms" })
class IdleWarningIntegrationTests {

	@RegisterExtension
	final Room room = new Room();

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

}
