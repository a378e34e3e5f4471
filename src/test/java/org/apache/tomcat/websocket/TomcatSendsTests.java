package org.apache.tomcat.websocket;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame header of a text message written past Tomcat's batch: the three length encodings of
 * RFC 6455 5.2, at their edges (integration tests send frames of a few hundred bytes to 1 MB); and
 * the flag that stops such writes once the close frame is out.
 */
class TomcatSendsTests {

	@Test
	void aLengthBelow126IsInTheSecondByte() {
		assertThat(bytes(TomcatSends.header(0))).containsExactly(0x81, 0);
		assertThat(bytes(TomcatSends.header(125))).containsExactly(0x81, 125);
	}

	@Test
	void aLengthBelow65536TakesTwoMoreBytes() {
		assertThat(bytes(TomcatSends.header(126))).containsExactly(0x81, 126, 0, 126);
		assertThat(bytes(TomcatSends.header(65535))).containsExactly(0x81, 126, 0xff, 0xff);
	}

	@Test
	void aLongerOneTakesEight() {
		assertThat(bytes(TomcatSends.header(65536))).containsExactly(0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0);
		assertThat(bytes(TomcatSends.header(1_300_000))).containsExactly(0x81, 127, 0, 0, 0, 0, 0, 0x13, 0xd6, 0x20);
	}

	/**
	 * A frame is written past the batch only while the endpoint's close frame is not: the flag
	 * that says so is Tomcat's private one, found here. Without it every frame would go through the
	 * 512-byte batch again (slow, not wrong): an upgrade of Tomcat that renames it fails here.
	 */
	@Test
	void theEndpointsClosedFlagIsFoundInThisTomcat() {
		assertThat(TomcatSends.writesPastTheBatch()).isTrue();
	}

	private static int[] bytes(ByteBuffer buffer) {
		int[] bytes = new int[buffer.remaining()];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = buffer.get(buffer.position() + i) & 0xff;
		}
		return bytes;
	}

}
