package io.imsystem.socket;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.imsystem.support.AdminApi;
import io.imsystem.support.HttpLines;
import org.junit.jupiter.api.AfterEach;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The handshake as a browser (or an attacker) sends it, written by hand on a plain socket so that
 * any {@code Origin} and {@code Host} can be tried: foreign and malformed origins get 403, never a
 * 500. Each accepted probe drops its connection right after the status line, and must not leave a
 * session behind.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "chat.admin.password=test-secret")
class OriginIntegrationTests {

	@LocalServerPort
	private int port;

	@AfterEach
	void noSessionOutlivesItsConnection() {
		AdminApi admin = AdminApi.of(this.port, "test-secret");
		await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(admin.sessions()).isZero());
	}

	@Test
	void aClientThatDropsRightAfterTheHandshakeLeavesNoSession() throws IOException {
		// Dropping during the welcome races the join; before the join has a session to end, the
		// close used to be lost and the user stayed online, name and all, until the idle timeout.
		for (int i = 0; i < 20; i++) {
			assertThat(handshake(null)).isEqualTo(101);
		}
	}

	@Test
	void noOriginIsAccepted() throws IOException {
		assertThat(handshake(null)).isEqualTo(101);
	}

	@Test
	void localhostAndLoopbackOnAnyPortAreAccepted() throws IOException {
		assertThat(handshake("http://localhost:" + this.port)).isEqualTo(101);
		assertThat(handshake("http://localhost:3000")).isEqualTo(101);
		assertThat(handshake("http://localhost")).isEqualTo(101);
		assertThat(handshake("http://127.0.0.1:" + this.port)).isEqualTo(101);
	}

	@Test
	void theServersOwnOriginIsAcceptedOnItsOwnNames() throws IOException {
		String localhost = "localhost:" + this.port;
		assertThat(handshake("http://" + localhost, localhost)).isEqualTo(101);
		// Not among chat.allowed-origins: accepted as same-origin, [::1] being a loopback name.
		String ipv6 = "[::1]:" + this.port;
		assertThat(handshake("http://" + ipv6, ipv6)).isEqualTo(101);
		assertThat(handshake("http://other.example.com:" + this.port, localhost)).isEqualTo(403);
	}

	@Test
	void aDnsRebindingPageIsNotTheServersOwnOrigin() throws IOException {
		// evil.com rebound to this server's address: its page's Origin agrees with its Host.
		String evil = "evil.com:" + this.port;
		assertThat(handshake("http://" + evil, evil)).isEqualTo(403);
		assertThat(handshake(null, evil)).as("a script, without Origin, whatever its Host").isEqualTo(101);
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://evil.com", "https://evil.com", "null", "http://localhost.evil.com",
			"http://localhost:8080.evil.com", "http://127.0.0.1.evil.com", "http://127.0.0.1:8080.evil.com",
			"https://localhost:8080", "http://[::1]:8080", "http://[zz", "::::", "http://", "localhost:8080",
			"http://localhost:99999", "http://localhost:8080/", "http://localhost:8080, http://evil.com",
			"http://local host", "%00", "http://localhost@evil.com" })
	void foreignAndMalformedOriginsAreRefusedWith403(String origin) throws IOException {
		assertThat(handshake(origin)).as(origin).isEqualTo(403);
	}

	private int handshake(String origin) throws IOException {
		return handshake(origin, "127.0.0.1:" + this.port);
	}

	/** Sends a WebSocket upgrade request and returns the status code of the response. */
	private int handshake(String origin, String host) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			StringBuilder request = new StringBuilder()
				.append("GET /ws/chat?name=probe HTTP/1.1\r\n")
				.append("Host: ").append(host).append("\r\n")
				.append("Upgrade: websocket\r\n")
				.append("Connection: Upgrade\r\n")
				.append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
				.append("Sec-WebSocket-Version: 13\r\n");
			if (origin != null) {
				request.append("Origin: ").append(origin).append("\r\n");
			}
			request.append("\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			String statusLine = HttpLines.readLine(socket.getInputStream());
			assertThat(statusLine).startsWith("HTTP/1.1 ");
			return Integer.parseInt(statusLine.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
		}
	}

}
