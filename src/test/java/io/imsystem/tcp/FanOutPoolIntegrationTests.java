package io.imsystem.tcp;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;

import org.springframework.test.context.TestPropertySource;

import static io.imsystem.tcp.LineClient.chatLine;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code chat.session.fan-out-above=0} every broadcast is only queued by the thread that
 * delivers it and written by the fan-out pool, as in a room of more than 1,024 by default: every
 * user, WebSocket or line, still gets every chat once and in order, and a sender's answer to its
 * next command still comes after its own chats.
 */
@TestPropertySource(properties = "chat.session.fan-out-above=0")
class FanOutPoolIntegrationTests extends GatewayTestSupport {

	private static final int CHATS = 50;

	@Test
	void everyUserGetsEveryChatOnceInOrderAndASendersAnswerFollowsItsOwnChats() {
		ChatClient alice = ws("fan-alice");
		ChatClient bob = ws("fan-bob");
		LineClient carol = tcp();
		LineClient dave = tcp();
		String[] texts = new String[CHATS];
		for (int i = 0; i < CHATS; i++) {
			texts[i] = "fan-" + i;
			alice.send("{\"type\":\"chat\",\"text\":\"" + texts[i] + "\"}");
		}
		alice.send("{\"type\":\"who\"}");

		List<JsonNode> aliceEvents = alice.untilChats(texts);
		assertThat(chatTexts(aliceEvents)).containsExactly(texts);
		assertThat(aliceEvents).as("alice's answer came before one of her chats")
			.noneMatch((event) -> event.path("type").asString().equals("users"));
		assertThat(alice.next("users").path("users")).hasSize(4);
		assertThat(chatTexts(bob.untilChats(texts))).containsExactly(texts);
		for (LineClient line : List.of(carol, dave)) {
			line.skipUntil(chatLine("web", "fan-alice", texts[0]));
			List<String> expected = new ArrayList<>();
			for (int i = 1; i < CHATS; i++) {
				expected.add(chatLine("web", "fan-alice", texts[i]));
			}
			assertThat(line.next(CHATS - 1)).containsExactlyElementsOf(expected);
		}

		// A line user's chats and its who, the same way.
		String daveAddress = dave.address();
		for (int i = 0; i < 20; i++) {
			dave.sendLine("line-" + i);
		}
		dave.sendLine("who");
		for (int i = 0; i < 20; i++) {
			assertThat(dave.next()).isEqualTo(chatLine(daveAddress, daveAddress, "line-" + i));
		}
		assertThat(dave.next(4)).allSatisfy((line) -> assertThat(line).endsWith(LineEncoding.LISTED + "\n"));
		assertThat(chatTexts(alice.untilChats("line-19"))).startsWith("line-0").endsWith("line-19").hasSize(20);
	}

	private static List<String> chatTexts(List<JsonNode> events) {
		return events.stream()
			.filter((event) -> event.path("type").asString().equals("chat"))
			.map((event) -> event.path("text").asString())
			.toList();
	}

}
