package io.imsystem.socket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.FreePort;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-address connection cap. Raw sockets from their own loopback addresses (127.0.0.2,
 * 127.0.0.3) keep the counts apart from other clients.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "chat.limits.connections-per-address=3")
class ConnectionLimitIntegrationTests {

	/** What a line-protocol client over the cap reads before the close. */
	private static final String LINE_REFUSAL = "连接过多，请稍后再试\n";

	/** {@code chat.tcp.port}, chosen before the app starts: the address line users are given. */
	private static final int LINE_PORT = FreePort.find();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void linePort(DynamicPropertyRegistry registry) {
		registry.add("chat.tcp.port", () -> LINE_PORT);
	}

	@Test
	void theLineGatewayKeepsTheSameCap() throws IOException {
		InetAddress source = InetAddress.getByName("127.0.0.4");
		List<Socket> open = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), LINE_PORT, source, 0);
				socket.setSoTimeout(10_000);
				assertThat(utf8Line(socket.getInputStream())).endsWith(":已上线");
				open.add(socket);
			}
			try (Socket refused = new Socket(InetAddress.getByName("127.0.0.1"), LINE_PORT, source, 0)) {
				refused.setSoTimeout(10_000);
				assertThat(utf8Line(refused.getInputStream()) + "\n").isEqualTo(LINE_REFUSAL);
				assertThat(refused.getInputStream().read()).as("closed after the refusal").isEqualTo(-1);
			}
		}
		finally {
			for (Socket socket : open) {
				socket.close();
			}
		}
	}

	@Test
	void connectionsPerAddressAreCappedWithAClearRefusal() throws IOException {
		InetAddress source = InetAddress.getByName("127.0.0.2");
		List<Socket> open = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				Socket socket = handshakeFrom(source);
				assertThat(statusLine(socket)).contains(" 101 ");
				awaitWelcome(socket);
				open.add(socket);
			}
			try (Socket refused = handshakeFrom(source)) {
				assertThat(statusLine(refused)).contains(" 429 ");
			}
			try (ChatClient other = ChatClient.join(this.port, null)) {
				assertThat(other.isClosed()).as("other addresses are not affected").isFalse();
			}
			open.remove(0).close();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				try (Socket again = handshakeFrom(source)) {
					assertThat(statusLine(again)).contains(" 101 ");
				}
			});
		}
		finally {
			for (Socket socket : open) {
				socket.close();
			}
		}
	}

	@Test
	void aBurstFromOneAddressGetsNoMoreThanTheCap() throws Exception {
		InetAddress source = InetAddress.getByName("127.0.0.3");
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < 8; i++) {
				sockets.add(handshakeFrom(source));
			}
			int welcomed = 0;
			for (Socket socket : sockets) {
				String status;
				try {
					status = statusLine(socket);
				}
				catch (SocketException ex) {
					// Reset: closed at accept with the request unread.
					status = "";
				}
				if (status.contains(" 101 ")) {
					// Accepted at the handshake, then either welcomed or closed with 1013.
					String first = firstFrameText(socket);
					if (first.contains("\"welcome\"")) {
						welcomed++;
					}
				}
				else if (!status.isEmpty()) {
					assertThat(status).contains(" 429 ");
				}
				// Else closed at accept: more connections than the cap that had not sent their
				// request yet (RequestHeaderDeadline).
			}
			assertThat(welcomed).isEqualTo(3);
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
	}

	private static String utf8Line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) >= 0 && b != '\n') {
			line.write(b);
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	private static void awaitWelcome(Socket socket) throws IOException {
		assertThat(firstFrameText(socket)).contains("\"welcome\"");
	}

	/** Skips the rest of the handshake response, then reads the first frame's payload as text. */
	private static String firstFrameText(Socket socket) throws IOException {
		DataInputStream in = new DataInputStream(socket.getInputStream());
		String line;
		do {
			line = readLine(in);
		}
		while (!line.isEmpty());
		int opcode = in.readUnsignedByte() & 0x0f;
		int length = in.readUnsignedByte() & 0x7f;
		if (length == 126) {
			length = in.readUnsignedShort();
		}
		byte[] payload = new byte[length];
		in.readFully(payload);
		return opcode + ":" + new String(payload, StandardCharsets.UTF_8);
	}

	private static String readLine(DataInputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) >= 0 && b != '\n') {
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

	private Socket handshakeFrom(InetAddress source) throws IOException {
		Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), this.port, source, 0);
		socket.setSoTimeout(10_000);
		String request = "GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:" + this.port
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13\r\n\r\n";
		socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
		return socket;
	}

	private static String statusLine(Socket socket) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = socket.getInputStream().read()) >= 0 && b != '\n') {
			line.append((char) b);
		}
		return line.toString();
	}

}
