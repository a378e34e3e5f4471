package io.imsystem.socket;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slowloris: requests whose headers never finish are closed after {@code chat.limits.header-timeout}
 * (1 s here), whatever Tomcat's own connection timeout (60 s, restarted by every byte) would do.
 * Each test sends from a loopback address of its own.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.limits.header-timeout=1s", "chat.limits.connections-per-address=100" })
class SlowRequestIntegrationTests {

	/** Well under Tomcat's 60 s, well over the 1 s deadline and a sweep. */
	private static final Duration CLOSED_WITHIN = Duration.ofSeconds(15);

	@LocalServerPort
	private int port;

	@Test
	void halfSentRequestsAreClosedAfterTheHeaderTimeout() {
		List<LoopbackClient> slow = new ArrayList<>();
		try {
			for (int i = 0; i < 60; i++) {
				slow.add(LoopbackClient.halfSent("127.0.0.5", this.port));
			}
			await().atMost(CLOSED_WITHIN).untilAsserted(() -> assertThat(slow)
				.as("connections still open with half a request")
				.allMatch(LoopbackClient::closedByServer));
		}
		finally {
			slow.forEach(LoopbackClient::close);
		}
	}

	@Test
	void aConnectionThatNeverSendsAByteIsClosedToo() {
		try (LoopbackClient silent = LoopbackClient.connect("127.0.0.6", this.port)) {
			await().atMost(CLOSED_WITHIN).until(silent::closedByServer);
		}
	}

	@Test
	void aHalfSentRequestOnAKeptAliveConnectionIsClosedToo() throws IOException {
		try (LoopbackClient client = LoopbackClient.connect("127.0.0.7", this.port)) {
			// A complete request first: the connection is kept alive for the next one.
			client.write("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\n\r\n");
			LoopbackClient.Response response = client.readHead();
			assertThat(response.status()).isEqualTo(426);
			client.skip(Integer.parseInt(response.headers().get("content-length")));
			client.write("GET /ws/chat HTTP/1.1\r\nHost: loc");
			await().atMost(CLOSED_WITHIN).until(client::closedByServer);
		}
	}

	@Test
	void aPromptRequestIsServedAsBefore() {
		LoopbackClient.Response response = LoopbackClient.handshake("127.0.0.8", this.port);
		try {
			assertThat(response.status()).isEqualTo(101);
		}
		finally {
			if (response.client() != null) {
				response.client().close();
			}
		}
	}

}
