package io.imsystem.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
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

	/** A WebSocket user who has seen both line users join. */
	private ChatClient web;

	/** A line user who has seen the sender join. */
	private LineClient other;

	private LineClient sender;

	/** The sender's address, which is also its name until it renames. */
	private String from;

	@BeforeEach
	void room() {
		this.web = ws("watcher");
		this.other = tcp();
		this.sender = tcp();
		this.from = this.sender.address();
		this.web.awaitJoins(this.other.address(), this.from);
		this.other.skipUntil(joinLine(this.from, this.from));
	}

	@Test
	void chatsSentTogetherKeepTheirPlaceAroundOtherCommands() {
		this.sender.sendRaw("one\ntwo\nwho\nthree\nrename|carol\nfour\n");

		// The sender reads its chats, the who answer and its rename where it sent them.
		assertThat(this.sender.next(2)).containsExactly(chatLine(this.from, this.from, "one"),
				chatLine(this.from, this.from, "two"));
		assertThat(this.sender.next(3)).containsExactlyInAnyOrder(whoLine("web", "watcher"),
				whoLine(this.other.address(), this.other.address()), whoLine(this.from, this.from));
		assertThat(this.sender.next(3)).containsExactly(chatLine(this.from, this.from, "three"),
				"您已经更新用户名:carol\n", chatLine(this.from, "carol", "four"));

		// Another line user: the four chats, under the name each was sent with.
		assertThat(this.other.next(4)).containsExactly(chatLine(this.from, this.from, "one"),
				chatLine(this.from, this.from, "two"), chatLine(this.from, this.from, "three"),
				chatLine(this.from, "carol", "four"));

		// A WebSocket user: a chat frame each, and the rename between the third and the fourth.
		List<String> seen = new ArrayList<>();
		while (seen.size() < 5) {
			JsonNode frame = this.web.next();
			if (frame.path("type").asString().equals("chat")) {
				seen.add("chat " + frame.path("from").asString() + " " + frame.path("text").asString());
			}
			for (JsonNode change : ChatClient.changesOf(frame)) {
				seen.add(change.path("event").asString() + " " + change.path("name").asString());
			}
		}
		assertThat(seen).containsExactly("chat " + this.from + " one", "chat " + this.from + " two",
				"chat " + this.from + " three", "rename carol", "chat carol four");
	}

	@Test
	void aLongBurstInOneWriteArrivesWholeOnceAndInOrder() {
		double countedBefore = Prometheus.value(this.httpPort, "chat_messages_total", "type=\"chat\"");

		// More chats and more text than one delivery carries: several go out, one after the other.
		int count = 300;
		String padding = "x".repeat(100);
		List<String> texts = IntStream.range(0, count).mapToObj((i) -> i + ":" + padding).toList();
		this.sender.sendRaw(String.join("\n", texts) + "\n");

		assertThat(this.other.next(count))
			.containsExactlyElementsOf(texts.stream().map((text) -> chatLine(this.from, this.from, text)).toList());
		List<String> chats = new ArrayList<>();
		while (chats.size() < count) {
			JsonNode frame = this.web.next();
			if (frame.path("type").asString().equals("chat")) {
				chats.add(frame.path("text").asString());
			}
		}
		assertThat(chats).containsExactlyElementsOf(texts);
		// Nobody was taken for slow: everyone still gets what comes next.
		this.sender.sendLine("after");
		assertThat(this.other.next()).isEqualTo(chatLine(this.from, this.from, "after"));
		assertThat(this.web.nextOfType("chat").path("text").asString()).isEqualTo("after");
		// Each chat of a run counts as a message.
		assertThat(Prometheus.value(this.httpPort, "chat_messages_total", "type=\"chat\"") - countedBefore)
			.isEqualTo(count + 1);
	}

}
