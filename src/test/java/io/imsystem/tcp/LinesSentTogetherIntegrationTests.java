package io.imsystem.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Prometheus;

import static io.imsystem.tcp.LineClient.chatLine;
import static io.imsystem.tcp.LineClient.joinLine;
import static io.imsystem.tcp.LineClient.whoLine;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lines a line user sends in one write reach the room together (one delivery per recipient, see
 * {@code chat.ChatRun}), and nobody can tell: each is its own chat, its own frame for WebSocket
 * users, its own line for line users, once and in the order sent, and whatever else the write
 * holds (a {@code who}, a rename) happens between the chats before and after it.
 */
class LinesSentTogetherIntegrationTests extends GatewayTestSupport {

	@Test
	void chatsSentTogetherKeepTheirPlaceAroundOtherCommands() {
		Room room = room();
		ChatClient web = room.web();
		LineClient other = room.other();
		LineClient sender = room.sender();
		String from = sender.address();

		sender.sendRaw("one\ntwo\nwho\nthree\nrename|carol\nfour\n");

		// The sender reads its chats, the who answer and its rename where it sent them.
		assertThat(sender.next(2)).containsExactly(chatLine(from, from, "one"), chatLine(from, from, "two"));
		assertThat(sender.next(3)).containsExactlyInAnyOrder(whoLine("web", "watcher"),
				whoLine(other.address(), other.address()), whoLine(from, from));
		assertThat(sender.next(3)).containsExactly(chatLine(from, from, "three"), "您已经更新用户名:carol\n",
				chatLine(from, "carol", "four"));

		// Another line user: the four chats, under the name each was sent with.
		assertThat(other.next(4)).containsExactly(chatLine(from, from, "one"), chatLine(from, from, "two"),
				chatLine(from, from, "three"), chatLine(from, "carol", "four"));

		// A WebSocket user: a chat frame each, and the rename between the third and the fourth.
		List<String> seen = new ArrayList<>();
		while (seen.size() < 5) {
			JsonNode frame = web.next();
			if (frame.path("type").asString().equals("chat")) {
				seen.add("chat " + frame.path("from").asString() + " " + frame.path("text").asString());
			}
			for (JsonNode change : ChatClient.changesOf(frame)) {
				seen.add(change.path("event").asString() + " " + change.path("name").asString());
			}
		}
		assertThat(seen).containsExactly("chat " + from + " one", "chat " + from + " two", "chat " + from + " three",
				"rename carol", "chat carol four");
	}

	@Test
	void aLongBurstInOneWriteArrivesWholeOnceAndInOrder() {
		Room room = room();
		ChatClient web = room.web();
		LineClient other = room.other();
		LineClient sender = room.sender();
		String from = sender.address();
		double countedBefore = Prometheus.value(this.httpPort, "chat_messages_total", "type=\"chat\"");

		// More chats and more text than one delivery carries: several go out, one after the other.
		int count = 300;
		String padding = "x".repeat(100);
		List<String> texts = IntStream.range(0, count).mapToObj((i) -> i + ":" + padding).toList();
		sender.sendRaw(String.join("\n", texts) + "\n");

		assertThat(other.next(count)).containsExactlyElementsOf(texts.stream().map((text) -> chatLine(from, from, text)).toList());
		List<String> chats = new ArrayList<>();
		while (chats.size() < count) {
			JsonNode frame = web.next();
			if (frame.path("type").asString().equals("chat")) {
				chats.add(frame.path("text").asString());
			}
		}
		assertThat(chats).containsExactlyElementsOf(texts);
		// Nobody was taken for slow: everyone still gets what comes next.
		sender.sendLine("after");
		assertThat(other.next()).isEqualTo(chatLine(from, from, "after"));
		assertThat(web.nextOfType("chat").path("text").asString()).isEqualTo("after");
		// Each chat of a run counts as a message.
		assertThat(Prometheus.value(this.httpPort, "chat_messages_total", "type=\"chat\"") - countedBefore)
			.isEqualTo(count + 1);
	}

	/** A WebSocket user and a line user who have both seen a second line user join, the sender. */
	private Room room() {
		ChatClient web = ws("watcher");
		LineClient other = tcp();
		LineClient sender = tcp();
		web.awaitJoins(other.address(), sender.address());
		other.skipUntil(joinLine(sender.address(), sender.address()));
		return new Room(web, other, sender);
	}

	private record Room(ChatClient web, LineClient other, LineClient sender) {
	}

}
