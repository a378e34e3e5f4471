package io.imsystem.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading while another floods the room: it is kicked as slow, and a client
 * that reads loses nothing. The rate and text limits are raised so that only the outbound buffer
 * (64 KB here) decides.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.session.buffer-size-limit=64KB", "chat.limits.messages-per-second=100000",
				"chat.limits.burst=100000", "chat.limits.max-text-length=100000", "chat.limits.max-frame-bytes=100000",
				"chat.admin.password=test-secret" })
class SlowClientIntegrationTests {

	/** Enough to fill the loopback socket buffers many times over; the kick comes long before. */
	private static final int MAX_MESSAGES = 5000;

	private static final String PADDING = "x".repeat(8 * 1024);

	@LocalServerPort
	private int port;

	@RegisterExtension
	final Room room = new Room();

	@Test
	void aClientThatStopsReadingIsKickedAsSlowAndNobodyElseNotices() {
		AdminApi admin = AdminApi.of(this.port, "test-secret");
		ChatClient slow = this.room.connectNotReading("slow");
		await().atMost(10, TimeUnit.SECONDS).until(() -> admin.onlineNames().contains("slow"));
		ChatClient reader = this.room.join("reader");
		ChatClient flooder = this.room.join("flooder");
		reader.next("presence");

		List<Integer> readerChats = new ArrayList<>();
		List<JsonNode> readerPresence = new ArrayList<>();
		List<Integer> flooderChats = new ArrayList<>();
		List<JsonNode> flooderPresence = new ArrayList<>();
		int sent = 0;
		while (sent < MAX_MESSAGES && !kickedAsSlow(admin, "slow")) {
			flooder.send("{\"type\":\"chat\",\"text\":\"" + sent + ":" + PADDING + "\"}");
			sent++;
			// The flooder waits for its own copy, so the room, not the flooder's socket, sets the pace
			// and readers never fall 64 KB behind. Keeping only indexes bounds the test's memory.
			while (flooderChats.size() < sent) {
				collect(List.of(flooder.next()), flooderChats, flooderPresence);
			}
			collect(reader.drain(), readerChats, readerPresence);
		}
		assertThat(kickedAsSlow(admin, "slow")).as("slow client kicked within %d messages", MAX_MESSAGES).isTrue();
		// The 64 KB queue plus the kernel buffers: the server's send buffer is fixed at 64 KB
		// (chat.websocket.socket-send-buffer), and a client that never read never had its receive
		// buffer grown. Left to TCP autotuning the same kick came after 498 messages (about 4 MB).
		assertThat(sent).as("messages sent before the kick").isLessThan(100);

		// A last message, then the reader must have every one of them, in order.
		flooder.send("{\"type\":\"chat\",\"text\":\"" + sent + ":last\"}");
		int total = sent + 1;
		// The slow client's leave is announced by the thread that closes it, so it may come before
		// or after the last message: read until both are in.
		while (readerChats.size() < total || !hasSlowLeave(readerPresence)) {
			collect(List.of(reader.next()), readerChats, readerPresence);
		}
		assertThat(readerChats).as("chats the reader received").hasSize(total);
		for (int i = 0; i < total; i++) {
			assertThat(readerChats.get(i)).as("chat number %d", i).isEqualTo(i);
		}
		assertThat(readerPresence).anySatisfy((presence) -> {
			assertThat(presence.path("event").asString()).isEqualTo("leave");
			assertThat(presence.path("name").asString()).isEqualTo("slow");
			assertThat(presence.path("reason").asString()).isEqualTo("slow");
		});
		assertThat(reader.isClosed()).isFalse();
		while (flooderChats.size() < total || !hasSlowLeave(flooderPresence)) {
			collect(List.of(flooder.next()), flooderChats, flooderPresence);
		}
		assertThat(flooderPresence).anySatisfy((presence) -> {
			assertThat(presence.path("name").asString()).isEqualTo("slow");
			assertThat(presence.path("reason").asString()).isEqualTo("slow");
		});
		assertThat(flooder.isClosed()).isFalse();

		List<JsonNode> kicks = admin.kicks();
		JsonNode record = kicks.stream()
			.filter((kick) -> kick.path("name").asString().equals("slow"))
			.findFirst()
			.orElseThrow();
		assertThat(record.path("reason").asString()).isEqualTo("slow");
		assertThat(record.path("remoteAddress").asString()).startsWith("127.0.0.1:");
		assertThat(admin.onlineNames()).doesNotContain("slow");
		assertThat(kicks).extracting((kick) -> kick.path("name").asString()).doesNotContain("reader", "flooder");

		// Once it reads again, it finds its connection closed after what had reached it: with 4500
		// when the close frame could be written, or abnormally (1006) when a frame it never finished
		// reading blocked the close frame and the container dropped the connection instead.
		slow.resume();
		assertThat(slow.awaitClose().code()).isIn(4500, 1006);
	}

	private static boolean kickedAsSlow(AdminApi admin, String name) {
		return admin.kicks()
			.stream()
			.anyMatch((kick) -> kick.path("name").asString().equals(name)
					&& kick.path("reason").asString().equals("slow"));
	}

	private static boolean hasSlowLeave(List<JsonNode> presence) {
		return presence.stream()
			.anyMatch((event) -> event.path("event").asString().equals("leave")
					&& event.path("name").asString().equals("slow"));
	}

	private static void collect(List<JsonNode> events, List<Integer> chats, List<JsonNode> presence) {
		for (JsonNode event : events) {
			String type = event.path("type").asString();
			if (type.equals("chat")) {
				String text = event.path("text").asString();
				chats.add(Integer.parseInt(text.substring(0, text.indexOf(':'))));
			}
			else if (type.equals("presence")) {
				presence.add(event);
			}
		}
	}

}
