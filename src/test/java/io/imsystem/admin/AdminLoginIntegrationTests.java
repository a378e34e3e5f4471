package io.imsystem.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.imsystem.support.HttpLines;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admin logins as an attacker on the network makes them: failed ones are logged, and after
 * {@code chat.admin.login-failures} of them an address is refused, the right password included,
 * while other addresses still log in. Each test sends from its own loopback address (Linux answers
 * on all of 127.0.0.0/8), so that one test's lockout is not another's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=login-secret", "chat.admin.login-failures=3",
				"chat.admin.login-lockout=1h" })
@ExtendWith(OutputCaptureExtension.class)
class AdminLoginIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Test
	void repeatedFailuresFromOneAddressAreRefusedEvenWithTheRightPasswordWhileOthersLogIn(CapturedOutput output) {
		String attacker = "127.0.0.2";
		for (int i = 0; i < 3; i++) {
			Reply wrong = get(attacker, "root", "guess-" + i);
			assertThat(wrong.status()).as("guess %d", i).isEqualTo(401);
		}
		Reply refused = get(attacker, "root", "login-secret");
		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.headers().get("content-type")).startsWith("application/problem+json");
		assertThat(Long.parseLong(refused.headers().get("retry-after"))).isBetween(1L, 3600L);
		JsonNode problem = refused.json();
		assertThat(problem.path("status").asInt()).isEqualTo(429);
		assertThat(problem.path("detail").asString()).contains("too many failed logins");
		assertThat(get(attacker, "nobody", "x").status()).as("a wrong user is refused alike").isEqualTo(429);

		assertThat(get("127.0.0.3", "root", "login-secret").status()).isEqualTo(200);

		await().untilAsserted(() -> assertThat(output.getAll())
			.contains("Failed admin login for user \"root\" from 127.0.0.2")
			.contains("Admin logins from 127.0.0.2 are refused"));
		assertThat(output.getAll()).doesNotContain("guess-0", "guess-2", "login-secret");
	}

	@Test
	void aSuccessfulLoginForgivesEarlierFailures() {
		String admin = "127.0.0.4";
		for (int round = 0; round < 3; round++) {
			assertThat(get(admin, "root", "typo").status()).isEqualTo(401);
			assertThat(get(admin, "root", "typo").status()).isEqualTo(401);
			assertThat(get(admin, "root", "login-secret").status()).as("round %d", round).isEqualTo(200);
		}
	}

	@Test
	void wrongUserNamesCountAndAreLoggedWithoutControlCharacters(CapturedOutput output) {
		String prober = "127.0.0.5";
		Reply reply = get(prober, "ev\u001bil\r\nFORGED admin login ok\u202E", "x");
		assertThat(reply.status()).isEqualTo(401);
		assertThat(reply.headers().get("www-authenticate")).isEqualTo("Basic realm=\"im-system\"");
		assertThat(reply.headers().get("content-type")).startsWith("application/problem+json");
		assertThat(reply.json().path("status").asInt()).isEqualTo(401);
		await().untilAsserted(() -> assertThat(output.getAll())
			.contains("Failed admin login for user \"evilFORGED admin login ok\" from 127.0.0.5"));
		assertThat(output.getAll()).doesNotContain("\r\nFORGED", "\nFORGED", "\u202E");
		assertThat(get(prober, "admin", "x").status()).isEqualTo(401);
		assertThat(get(prober, "root", "x").status()).isEqualTo(401);
		assertThat(get(prober, "root", "login-secret").status()).isEqualTo(429);
	}

	/** {@code GET /api/admin/users} with Basic credentials, sent from the given local address. */
	private Reply get(String from, String user, String password) {
		String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
		try (Socket socket = new Socket()) {
			socket.setSoTimeout(10_000);
			socket.bind(new InetSocketAddress(from, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5_000);
			OutputStream out = socket.getOutputStream();
			// HTTP/1.0: the body comes unchunked, up to the end of the stream.
			out.write(("GET /api/admin/users HTTP/1.0\r\nHost: 127.0.0.1:" + this.port + "\r\nAuthorization: Basic "
					+ basic + "\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			int status = Integer.parseInt(HttpLines.readLine(in).split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (String line = HttpLines.readLine(in); !line.isEmpty(); line = HttpLines.readLine(in)) {
				int colon = line.indexOf(':');
				headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
			}
			String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return new Reply(status, headers, body);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	record Reply(int status, Map<String, String> headers, String body) {

		JsonNode json() {
			return JSON.readTree(this.body);
		}

	}

}
