package io.imsystem.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.HttpLines;
import io.imsystem.support.Prometheus;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What {@code /ws/chat} answers to requests that are not a WebSocket handshake it can accept, on a
 * plain socket as a curl user or a broken client sends them: a status that says what is wrong and
 * how to fix it, never a 500, and nothing left behind (no session, no connection counted against
 * the address). The cap on connections per address is low here, so that a refused handshake still
 * counted would soon keep this address's next clients out.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "chat.limits.connections-per-address=" + HandshakeIntegrationTests.CONNECTIONS_PER_ADDRESS)
class HandshakeIntegrationTests {

	static final int CONNECTIONS_PER_ADDRESS = 3;

	private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

	@LocalServerPort
	private int port;

	/**
	 * No session is left, and this address may open as many connections as the cap allows, all at
	 * once: none of the test's requests is still counted against it.
	 */
	@AfterEach
	void nothingIsLeftBehind() {
		await().atMost(10, TimeUnit.SECONDS)
			.untilAsserted(() -> assertThat(Prometheus.sessionsActive(this.port)).isZero());
		// A connection that has just ended may still be counted for a moment: try again until then.
		await().atMost(10, TimeUnit.SECONDS).ignoreExceptions().untilAsserted(() -> {
			List<ChatClient> clients = new ArrayList<>();
			try {
				for (int i = 0; i < CONNECTIONS_PER_ADDRESS; i++) {
					clients.add(ChatClient.join(this.port, "capacity" + i));
				}
				assertThat(Prometheus.sessionsActive(this.port)).isEqualTo(CONNECTIONS_PER_ADDRESS);
			}
			finally {
				clients.forEach(ChatClient::close);
			}
		});
		await().atMost(10, TimeUnit.SECONDS)
			.untilAsserted(() -> assertThat(Prometheus.sessionsActive(this.port)).isZero());
	}

	@Test
	void aPlainGetIsToldToUpgrade() throws IOException {
		Response response = send("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\n\r\n");
		assertThat(response.status()).isEqualTo(426);
		assertThat(response.header("upgrade")).isEqualToIgnoringCase("websocket");
		assertThat(response.body()).contains("WebSocket client");
	}

	@Test
	void anotherMethodIsNotAllowed() throws IOException {
		Response response = send("POST /ws/chat HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
		assertThat(response.status()).isEqualTo(405);
		assertThat(response.header("allow")).isEqualTo("GET");
	}

	@Test
	void anotherProtocolVersionIsToldWhichOneIsSpoken() throws IOException {
		Response response = send(upgrade("Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 8\r\n"));
		assertThat(response.status()).isEqualTo(426);
		assertThat(response.header("sec-websocket-version")).isEqualTo("13");
	}

	@Test
	void aMissingOrMalformedKeyIsABadRequest() throws IOException {
		assertThat(send(upgrade("Sec-WebSocket-Version: 13\r\n")).status()).isEqualTo(400);
		assertThat(send(upgrade("Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n")).status())
			.isEqualTo(400);
		assertThat(send(upgrade("Sec-WebSocket-Key: not base64!\r\nSec-WebSocket-Version: 13\r\n")).status())
			.isEqualTo(400);
	}

	@Test
	void anUpgradeWithoutConnectionUpgradeIsABadRequest() throws IOException {
		Response response = send("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
				+ "Connection: keep-alive\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
		assertThat(response.status()).isEqualTo(400);
	}

	@Test
	void headerTokensAreReadWithoutRegardToCaseOrListPosition() throws IOException {
		Response response = send("GET /ws/chat?name=tokens HTTP/1.1\r\nHost: localhost\r\nUpgrade: WebSocket\r\n"
				+ "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
		assertThat(response.status()).isEqualTo(101);
		assertThat(response.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	}

	@Test
	void afterRefusedHandshakesAClientStillJoins() throws IOException {
		for (int i = 0; i < 5; i++) {
			send("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\n\r\n");
			send(upgrade("Sec-WebSocket-Version: 13\r\n"));
		}
		try (ChatClient client = ChatClient.join(this.port, "after-refusals")) {
			assertThat(Prometheus.sessionsActive(this.port)).isOne();
		}
	}

	private static String upgrade(String headers) {
		return "GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + headers
				+ "\r\n";
	}

	/** Sends one request and reads the response head, and its body if it has a length. */
	private Response send(String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			String statusLine = HttpLines.readLine(in);
			assertThat(statusLine).startsWith("HTTP/1.1 ");
			int status = Integer.parseInt(statusLine.substring(9, 12));
			Map<String, String> headers = new HashMap<>();
			for (String line = HttpLines.readLine(in); !line.isEmpty(); line = HttpLines.readLine(in)) {
				int colon = line.indexOf(':');
				headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
			}
			String body = "";
			if (status != 101 && headers.containsKey("content-length")) {
				body = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8);
			}
			return new Response(status, headers, body);
		}
	}

	private record Response(int status, Map<String, String> headers, String body) {

		String header(String name) {
			return this.headers.get(name);
		}

	}

}
