package io.imsystem.socket;

import java.io.IOException;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.chat.ChatService;
import io.imsystem.session.SessionRegistry;
import io.imsystem.support.ChatClient;
import io.imsystem.support.RawWebSocket;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Heartbeats and compression, against the started app. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.heartbeat.interval=300ms", "chat.heartbeat.timeout=300ms",
				"chat.idle.sweep-interval=100ms",
				"chat.idle.warning-before=0s" })
class HardeningIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	ChatService chat;

	@Autowired
	SessionRegistry registry;

	@Test
	void aPeerThatStopsAnsweringPingsIsDroppedWithReasonError() throws IOException {
		try (ChatClient observer = ChatClient.join(this.port, "observer");
				RawWebSocket silent = RawWebSocket.connect(this.port, "silent")) {
			JsonNode leave = awaitLeaveOf(observer, "silent");
			assertThat(leave.path("reason").asString()).isEqualTo("error");
			assertThat(silent.awaitEndOfStream()).isTrue();
			assertThat(this.registry.find("silent")).isNull();
		}
	}

	@Test
	void aPeerAnsweringPingsStaysConnected() throws IOException {
		try (RawWebSocket lively = RawWebSocket.connect(this.port, "lively")) {
			int pings = 0;
			while (pings < 4) {
				RawWebSocket.Frame frame = lively.readFrame();
				assertThat(frame).as("connection still open").isNotNull();
				assertThat(frame.opcode()).as("no close frame, got %s", frame.closeCode()).isNotEqualTo(RawWebSocket.CLOSE);
				if (frame.opcode() == RawWebSocket.PING) {
					pings++;
					lively.sendFrame(true, 0, RawWebSocket.PONG, true, frame.payload());
				}
			}
			assertThat(this.registry.find("lively")).isNotNull();
		}
	}

	@Test
	void pingsAndPongsAreNotActivity() throws IOException {
		try (RawWebSocket idler = RawWebSocket.connect(this.port, "idler")) {
			this.chat.overrideTimeout(this.registry.find("idler"), Duration.ofSeconds(2));
			int pongs = 0;
			String kicked = null;
			while (kicked == null) {
				RawWebSocket.Frame frame = idler.readFrame();
				assertThat(frame).as("kicked before the connection ended").isNotNull();
				if (frame.opcode() == RawWebSocket.PING) {
					pongs++;
					idler.sendFrame(true, 0, RawWebSocket.PONG, true, frame.payload());
				}
				else if (frame.opcode() == RawWebSocket.TEXT && frame.text().contains("\"kicked\"")) {
					kicked = frame.text();
				}
			}
			assertThat(pongs).as("pongs answered while idle").isGreaterThanOrEqualTo(2);
			assertThat(kicked).contains("\"reason\":\"idle\"");
			assertThat(idler.readUntilClose()).isEqualTo(4408);
		}
	}

	@Test
	void compressionIsNotNegotiatedByDefault() throws IOException {
		try (RawWebSocket client = RawWebSocket.open(this.port, "/ws/chat", "Sec-WebSocket-Extensions",
				"permessage-deflate; client_max_window_bits")) {
			assertThat(client.handshake().status()).isEqualTo(101);
			assertThat(client.handshake().headers()).doesNotContainKey("sec-websocket-extensions");
		}
	}

	private static JsonNode awaitLeaveOf(ChatClient observer, String name) {
		while (true) {
			JsonNode presence = observer.nextOfType("presence");
			if (presence.path("event").asString().equals("leave") && presence.path("name").asString().equals(name)) {
				return presence;
			}
		}
	}

}
