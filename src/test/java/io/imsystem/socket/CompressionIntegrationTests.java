package io.imsystem.socket;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import io.imsystem.support.RawWebSocket;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The switch works the other way too: with {@code chat.websocket.compression=true} a client's
 * {@code permessage-deflate} offer is accepted (the default, off, is in
 * {@link HardeningIntegrationTests}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "chat.websocket.compression=true")
class CompressionIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void compressionIsNegotiatedWhenTurnedOn() throws IOException {
		try (RawWebSocket client = RawWebSocket.open(this.port, "/ws/chat?name=deflater", "Sec-WebSocket-Extensions",
				"permessage-deflate; client_max_window_bits")) {
			assertThat(client.handshake().status()).isEqualTo(101);
			assertThat(client.handshake().headers().get("sec-websocket-extensions")).startsWith("permessage-deflate");
		}
	}

}
