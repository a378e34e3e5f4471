package io.imsystem.socket;

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
 * One address holding half-sent requests, or opening connections as fast as it can: its own
 * connections are refused, another address's are not. The header timeout is long here so that
 * half-sent requests stay open for as long as a test needs them; each test has its own loopback
 * addresses.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.limits.header-timeout=60s", "chat.limits.connections-per-address=10",
				"chat.limits.handshakes-per-second=1", "chat.limits.handshake-burst=8" })
class HandshakeAbuseIntegrationTests {

	@LocalServerPort
	private int port;

	@Test
	void halfSentRequestsCountAgainstTheAddressLimit() {
		List<LoopbackClient> open = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				LoopbackClient.Response session = LoopbackClient.handshake("127.0.0.5", this.port);
				assertThat(session.status()).isEqualTo(101);
				open.add(session.client());
			}
			List<LoopbackClient> slow = new ArrayList<>();
			for (int i = 0; i < 7; i++) {
				slow.add(LoopbackClient.halfSent("127.0.0.5", this.port));
			}
			open.addAll(slow);
			LoopbackClient.Response refused = LoopbackClient.handshake("127.0.0.5", this.port);
			assertThat(refused.status()).as("3 sessions and 7 half-sent requests make 10").isEqualTo(429);
			assertThat(refused.headers()).doesNotContainKey("retry-after");
			LoopbackClient.Response other = LoopbackClient.handshake("127.0.0.6", this.port);
			assertThat(other.status()).isEqualTo(101);
			open.add(other.client());
			slow.forEach(LoopbackClient::close);
			// Tokens refill at one a second: poll no faster, so that the rate is not what refuses.
			await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				LoopbackClient.Response again = LoopbackClient.handshake("127.0.0.5", this.port);
				if (again.client() != null) {
					open.add(again.client());
				}
				assertThat(again.status()).isEqualTo(101);
			});
		}
		finally {
			open.forEach(LoopbackClient::close);
		}
	}

	@Test
	void moreHalfSentRequestsThanTheLimitAreClosedAtAccept() {
		List<LoopbackClient> slow = new ArrayList<>();
		try {
			for (int i = 0; i < 10; i++) {
				slow.add(LoopbackClient.halfSent("127.0.0.7", this.port));
			}
			try (LoopbackClient over = LoopbackClient.halfSent("127.0.0.7", this.port)) {
				await().until(over::closedByServer);
			}
			assertThat(slow).as("the first ten, within the limit").noneMatch(LoopbackClient::closedByServer);
		}
		finally {
			slow.forEach(LoopbackClient::close);
		}
	}

	@Test
	void handshakesBeyondTheBurstAreRefusedWith429AndARetryAfter() {
		for (int i = 0; i < 8; i++) {
			LoopbackClient.Response response = LoopbackClient.handshake("127.0.0.8", this.port);
			assertThat(response.status()).as("handshake %d of the burst", i).isEqualTo(101);
			response.client().close();
		}
		LoopbackClient.Response refused = LoopbackClient.handshake("127.0.0.8", this.port);
		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.headers()).containsEntry("retry-after", "1")
			.containsEntry("content-type", "application/problem+json");
		LoopbackClient.Response other = LoopbackClient.handshake("127.0.0.9", this.port);
		assertThat(other.status()).isEqualTo(101);
		other.client().close();
	}

}
