package io.imsystem.socket;

import java.util.ArrayList;
import java.util.List;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answer to {@code who} lists the whole room, however large: in a room whose list is larger
 * than the outbound buffer limit (2 KB here, 512 KB by default: about 7,000 users), the client
 * that asks gets it, and is not closed as too slow. Before, a room of 19,000 closed every client
 * that asked.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "chat.session.buffer-size-limit=2KB", "chat.limits.connections-per-address=100",
		"chat.limits.handshakes-per-second=1000", "chat.limits.handshake-burst=1000" })
class WhoAnswerIntegrationTests {

	private static final int USERS = 60;

	@LocalServerPort
	private int port;

	@RegisterExtension
	final Room room = new Room();

	@Test
	void aListLargerThanTheBufferLimitIsAnsweredAndTheAskerStays() {
		ChatClient asker = this.room.join("asker");
		List<String> expected = new ArrayList<>(List.of("asker"));
		for (int i = 0; i < USERS; i++) {
			String name = "someone-with-a-long-name-" + i;
			this.room.join(name);
			expected.add(name);
			// One at a time, so that no presence frame comes near the limit itself.
			asker.awaitChange("join", name);
		}

		asker.send("{\"type\":\"who\"}");
		JsonNode users = asker.nextOfType("users");

		assertThat(users.toString().length()).as("the answer's size").isGreaterThan(2048);
		List<String> names = new ArrayList<>();
		users.path("users").forEach((user) -> names.add(user.path("name").asString()));
		assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
		asker.send("{\"type\":\"ping\"}");
		assertThat(asker.nextOfType("pong").path("type").asString()).isEqualTo("pong");
		assertThat(asker.isClosed()).as("asker closed").isFalse();
	}

}
