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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames larger than the connection's batch buffer (512 bytes by default) are written in one piece
 * past it, after whatever the batch holds; smaller ones still go through the batch. A burst of chats
 * of both kinds, in ASCII, CJK (three bytes a character) and emoji (four), reaches another user
 * whole and in the order it was sent, with a {@code who} answered in the middle of it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class LargeFramesIntegrationTests {

	/** The burst every session may send at once (chat.limits.burst). */
	private static final int CHATS = 38;

	@RegisterExtension
	final Room room = new Room();

	@Test
	void aBurstOfLargeAndSmallChatsArrivesWholeAndInOrder() {
		ChatClient reader = this.room.join("reader");
		ChatClient writer = this.room.join("writer");
		reader.awaitChange("join", "writer");
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < CHATS; i++) {
			texts.add(text(i));
		}

		for (int i = 0; i < CHATS; i++) {
			writer.send("{\"type\":\"chat\",\"text\":\"" + texts.get(i) + "\"}");
			if (i == CHATS / 2) {
				reader.send("{\"type\":\"who\"}");
			}
		}

		List<String> chats = new ArrayList<>();
		JsonNode users = null;
		for (JsonNode event : reader.untilChats(texts.toArray(String[]::new))) {
			if (event.path("type").asString().equals("chat")) {
				chats.add(event.path("text").asString());
			}
			else if (event.path("type").asString().equals("users")) {
				users = event;
			}
		}
		assertThat(chats).containsExactlyElementsOf(texts);
		if (users == null) {
			users = reader.nextOfType("users");
		}
		assertThat(users.path("users").size()).isEqualTo(2);
		reader.send("{\"type\":\"ping\"}");
		assertThat(reader.nextOfType("pong").path("type").asString()).isEqualTo("pong");
	}

	/** Chat {@code i}: from a few bytes to 3 KB, across the 512-byte buffer both ways. */
	private static String text(int i) {
		String prefix = i + ":";
		return switch (i % 5) {
			case 0 -> prefix + "short";
			case 1 -> prefix + "a".repeat(600);
			case 2 -> prefix + "漢".repeat(990);
			case 3 -> prefix + "b".repeat(300);
			default -> prefix + "😀".repeat(250);
		};
	}

}
