package io.imsystem.reliability;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JSON can spell a lone surrogate ({@code "\ud800"}), which has no UTF-8 form: a string holding
 * one cannot be written to a WebSocket. Such text reaches others with U+FFFD in its place, as
 * a decoder shows any malformed input, instead of failing every recipient's send (which closed each
 * with 1011: one frame emptied the room).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=test-secret" })
class MalformedTextIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void aLoneSurrogateInAMessageReachesTheRoomAsAReplacementCharacter() {
		try (ChatClient alice = ChatClient.join(this.port, "alice"); ChatClient bob = ChatClient.join(this.port, "bob")) {
			alice.nextOfType("presence");
			alice.send("{\"type\":\"chat\",\"text\":\"a\\ud800b\"}");
			assertThat(bob.nextOfType("chat").path("text").asString()).isEqualTo("a\uFFFDb");
			assertThat(alice.nextOfType("chat").path("text").asString()).isEqualTo("a\uFFFDb");

			alice.send("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"\\udc00\"}");
			assertThat(bob.nextOfType("private").path("text").asString()).isEqualTo("\uFFFD");
			alice.send("{\"type\":\"private\",\"to\":\"b\\ud800\",\"text\":\"hi\"}");
			assertThat(alice.nextOfType("error").path("code").asString()).isEqualTo("unknown-user");
			alice.send("{\"type\":\"" + "t".repeat(31) + "\uD83D\uDE00\"}");
			assertThat(alice.nextOfType("error").path("code").asString()).isEqualTo("unknown-type");

			for (ChatClient client : new ChatClient[] { alice, bob }) {
				client.send("{\"type\":\"ping\"}");
				assertThat(client.nextOfType("pong").has("ts")).isTrue();
				assertThat(client.isClosed()).isFalse();
			}
		}
	}

	@Test
	void anAdminKickMessageWithALoneSurrogateStillKicksWithItsOwnClose() {
		try (ChatClient carol = ChatClient.join(this.port, "carol")) {
			Http.Response kick = Http.basic(this.port, "root", "test-secret")
				.post("/api/admin/users/carol/kick", "{\"message\":\"bye \\ud800\"}");
			assertThat(kick.status()).isEqualTo(200);
			JsonNode kicked = carol.nextOfType("kicked");
			assertThat(kicked.path("message").asString()).isEqualTo("bye \uFFFD");
			assertThat(carol.awaitClose().code()).isEqualTo(4403);
		}
		Http.Response kicks = Http.basic(this.port, "root", "test-secret").get("/api/admin/kicks");
		assertThat(kicks.status()).isEqualTo(200);
		assertThat(kicks.json().get(0).path("message").asString()).isEqualTo("bye \uFFFD");
	}

}
