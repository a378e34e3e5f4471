package io.imsystem.chat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code chat.presence.broadcast-limit}, a big room stops hearing every join and leave. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "chat.presence.broadcast-limit=2")
class PresenceLimitIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void presenceIsBroadcastOnlyUpToTheLimit() {
		try (ChatClient alice = ChatClient.join(this.port, "limit-alice")) {
			try (ChatClient bob = ChatClient.join(this.port, "limit-bob")) {
				assertThat(alice.next("presence").path("name").asString()).isEqualTo("limit-bob");
				try (ChatClient carol = ChatClient.join(this.port, "limit-carol")) {
					// Three online: over the limit. Carol still had her own join (join() waits for it).
					alice.assertNoEvent(Duration.ofMillis(300));
					bob.send("hello");
					assertThat(alice.next("chat").path("text").asString()).isEqualTo("hello");
					assertThat(carol.next("chat").path("text").asString()).isEqualTo("hello");
				}
				// Back to two online: the leave is announced again.
				assertThat(alice.next("presence").path("event").asString()).isEqualTo("leave");
			}
		}
	}

}
