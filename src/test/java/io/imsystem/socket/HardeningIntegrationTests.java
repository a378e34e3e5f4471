package io.imsystem.socket;

import java.io.IOException;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.RawWebSocket;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Heartbeats and compression, against the started app. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.heartbeat.interval=300ms", "chat.heartbeat.timeout=300ms",
				"chat.idle.sweep-interval=100ms",
				"chat.idle.warning-before=0s", "chat.admin.password=test-secret" })
class HardeningIntegrationTests {

	@LocalServerPort
	int port;

	AdminApi admin() {
		return AdminApi.of(this.port, "test-secret");
	}

	@Test
	void aPeerThatStopsAnsweringPingsIsDroppedWithReasonError() throws IOException {
		try (ChatClient observer = ChatClient.join(this.port, "observer");
				RawWebSocket silent = RawWebSocket.connect(this.port, "silent")) {
			JsonNode leave = awaitLeaveOf(observer, "silent");
			assertThat(leave.path("reason").asString()).isEqualTo("error");
			assertThat(silent.awaitEndOfStream()).isTrue();
			assertThat(admin().onlineNames()).doesNotContain("silent");
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
			assertThat(admin().onlineNames()).contains("lively");
		}
	}

	@Test
	void pingsAndPongsAreNotActivity() throws IOException {
		try (RawWebSocket idler = RawWebSocket.connect(this.port, "idler")) {
			// The handshake's answer may come before the join: a 404 until then.
			await().atMost(ChatClient.TIMEOUT).until(() -> admin().overrideTimeout("idler", 2) == 200);
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
		return observer.awaitChange("leave", name);
	}

}
