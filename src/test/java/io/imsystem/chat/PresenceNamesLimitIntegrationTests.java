package io.imsystem.chat;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Above {@code chat.presence.names-limit} online, presence frames carry no names, only the count,
 * and only when it changed; a newcomer's own join still names it, and {@code who} lists everyone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "chat.presence.names-limit=2")
class PresenceNamesLimitIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void aboveTheLimitTheRoomGetsCountsAndBelowItNamesAgain() {
		try (ChatClient alice = ChatClient.join(this.port, "limit-alice")) {
			try (ChatClient bob = ChatClient.join(this.port, "limit-bob")) {
				assertThat(alice.next("presence").path("name").asString()).isEqualTo("limit-bob");
				try (ChatClient carol = ChatClient.join(this.port, "limit-carol")) {
					// Three online: over the limit. Carol had her own join by name (join() waits for it).
					JsonNode count = alice.next("presence");
					assertThat(count.path("event").asString()).isEqualTo("count");
					assertThat(count.path("online").asInt()).isEqualTo(3);
					assertThat(count.has("name")).isFalse();
					assertThat(bob.next("presence").path("event").asString()).isEqualTo("count");
					carol.send("{\"type\":\"who\"}");
					assertThat(carol.next("users").path("users")).extracting((user) -> user.path("name").asString())
						.containsExactlyInAnyOrder("limit-alice", "limit-bob", "limit-carol");
				}
				// Back to two online: the leave is announced by name again.
				JsonNode leave = alice.next("presence");
				assertThat(leave.path("event").asString()).isEqualTo("leave");
				assertThat(leave.path("name").asString()).isEqualTo("limit-carol");
				assertThat(leave.path("online").asInt()).isEqualTo(2);
			}
		}
	}

}
