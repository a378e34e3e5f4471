package io.imsystem.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.RawWebSocket;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frame-level rules with the default limit of 8192 bytes: binary frames close with 1003, frames
 * over the limit in UTF-8 bytes close with 1009, and the others see the sender leave with reason
 * {@code error}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "chat.admin.password=test-secret")
class FrameLimitsIntegrationTests {

	private static final int LIMIT = 8192;

	private static final String CHAT_PREFIX = "{\"type\":\"chat\",\"text\":\"";

	private static final String CHAT_SUFFIX = "\"}";

	@LocalServerPort
	private int port;

	@RegisterExtension
	final Room room = new Room();

	@Test
	void aBinaryFrameClosesWith1003() {
		ChatClient sender = this.room.join("sender");
		ChatClient other = this.room.join("other");
		sender.nextOfType("presence");
		sender.sendBinary("{\"type\":\"chat\",\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
		assertThat(sender.awaitClose().code()).isEqualTo(1003);
		assertLeftWithError(other, "sender");
	}

	@Test
	void aTextFrameOverTheLimitClosesWith1009() {
		ChatClient sender = this.room.join("sender");
		ChatClient other = this.room.join("other");
		sender.nextOfType("presence");
		sender.send("a".repeat(LIMIT + 1));
		assertThat(sender.awaitClose().code()).isEqualTo(1009);
		assertLeftWithError(other, "sender");
	}

	@Test
	void theLimitCountsUtf8BytesNotCharacters() {
		ChatClient sender = this.room.join("sender");
		ChatClient other = this.room.join("other");
		sender.nextOfType("presence");
		String cjk = "字".repeat(3000);
		assertThat(cjk.getBytes(StandardCharsets.UTF_8)).hasSize(9000);
		sender.send(cjk);
		assertThat(sender.awaitClose().code()).isEqualTo(1009);
		assertLeftWithError(other, "sender");
	}

	@Test
	void aFrameOneByteOverTheLimitInMultiByteCharactersClosesWith1009() {
		ChatClient sender = this.room.join("sender");
		ChatClient other = this.room.join("other");
		sender.nextOfType("presence");
		sender.send(padded("字".repeat(1000), LIMIT + 1));
		assertThat(sender.awaitClose().code()).isEqualTo(1009);
		assertLeftWithError(other, "sender");
	}

	@Test
	void aFrameOfExactlyTheLimitIsAccepted() {
		ChatClient sender = this.room.join("sender");
		ChatClient other = this.room.join("other");
		sender.nextOfType("presence");
		sender.send(padded("ascii", LIMIT));
		assertThat(other.next("chat").path("text").asString()).isEqualTo("ascii");
		sender.send(padded("字".repeat(1000), LIMIT));
		assertThat(other.next("chat").path("text").asString()).isEqualTo("字".repeat(1000));
		sender.send("a".repeat(LIMIT));
		assertThat(sender.nextOfType("error").path("code").asString()).as("a long line is only too long a text")
			.isEqualTo("text-too-long");
		assertThat(sender.isClosed()).isFalse();
	}

	/**
	 * Messages are read in parts of {@code chat.websocket.buffer-size} (512 bytes): one sent in
	 * fragments, with multi-byte characters split across them, and as large as the limit arrives
	 * whole.
	 */
	@Test
	void aMessageInFragmentsUpToTheLimitArrivesWhole() throws IOException {
		ChatClient other = this.room.join("other");
		try (RawWebSocket sender = RawWebSocket.connect(this.port, "fragments")) {
			other.nextOfType("presence");
			// 1,000 characters (the text limit) in 2,000 bytes, padded to 8,192 bytes.
			String text = "字".repeat(500) + "a".repeat(500);
			byte[] frame = padded(text, LIMIT).getBytes(StandardCharsets.UTF_8);
			// Cut inside a three-byte character, then in the padding.
			int first = CHAT_PREFIX.length() + 700;
			int second = first + 2999;
			sender.sendFrame(false, 0, RawWebSocket.TEXT, true, Arrays.copyOfRange(frame, 0, first));
			sender.sendFrame(false, 0, RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(frame, first, second));
			sender.sendFrame(true, 0, RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(frame, second, frame.length));
			assertThat(other.next("chat").path("text").asString()).isEqualTo(text);
			assertThat(AdminApi.of(this.port, "test-secret").onlineNames()).as("still connected").contains("fragments");
		}
	}

	/** A chat frame of exactly {@code bytes} UTF-8 bytes: JSON allows trailing whitespace. */
	private static String padded(String text, int bytes) {
		String frame = CHAT_PREFIX + text + CHAT_SUFFIX;
		int size = frame.getBytes(StandardCharsets.UTF_8).length;
		assertThat(size).isLessThanOrEqualTo(bytes);
		String result = frame + " ".repeat(bytes - size);
		assertThat(result.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
		return result;
	}

	private static void assertLeftWithError(ChatClient other, String name) {
		JsonNode leave = other.next("presence");
		assertThat(leave.path("event").asString()).isEqualTo("leave");
		assertThat(leave.path("name").asString()).isEqualTo(name);
		assertThat(leave.path("reason").asString()).isEqualTo("error");
		assertThat(leave.path("online").asInt()).isEqualTo(1);
		assertThat(other.isClosed()).isFalse();
	}

}
