package io.imsystem.socket;

import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames larger than the small per-connection read buffers still follow the contract: they arrive
 * whole, up to the limit in UTF-8 bytes, and past it close with 1009; binary frames of any size
 * close with 1003.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SmallBuffersIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void aMessageLargerThanTheReadBufferArrivesWhole() {
		// 1,000 emoji: 2,000 UTF-16 characters (twice the read buffer), 4,000 bytes.
		String text = "\uD83D\uDE00".repeat(1000);
		try (ChatClient alice = ChatClient.join(this.port, "big-alice")) {
			alice.send("{\"type\":\"chat\",\"text\":\"" + text + "\"}");
			assertThat(alice.nextOfType("chat").path("text").asString()).isEqualTo(text);
		}
	}

	@Test
	void aFrameJustWithinTheByteLimitIsAcceptedAcrossParts() {
		// 2,730 three-byte characters make 8,190 bytes of text line: within 8,192, over 1,000 code points.
		try (ChatClient alice = ChatClient.join(this.port, "edge-alice")) {
			alice.send("界".repeat(2730));
			assertThat(alice.nextOfType("error").path("code").asString()).isEqualTo("text-too-long");
			alice.send("still here");
			assertThat(alice.nextOfType("chat").path("text").asString()).isEqualTo("still here");
		}
	}

	@Test
	void aFrameOverTheByteLimitClosesWith1009() {
		try (ChatClient alice = ChatClient.join(this.port, "huge-alice")) {
			alice.send("界".repeat(2731));
			assertThat(alice.awaitClose().code()).isEqualTo(1009);
		}
	}

	@Test
	void aLargeBinaryFrameClosesWith1003() {
		try (ChatClient alice = ChatClient.join(this.port, "binary-alice")) {
			alice.sendBinary(new byte[5000]);
			assertThat(alice.awaitClose().code()).isEqualTo(1003);
		}
	}

}
