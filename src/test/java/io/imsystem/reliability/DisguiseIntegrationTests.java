package io.imsystem.reliability;

import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names and texts that would disguise their sender or reverse what others read: right-to-left
 * overrides, zero-width and control characters. Names with them are refused ({@code invalid-name})
 * at connect and on rename; texts lose the control and bidirectional-control characters before
 * anyone else sees them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=100ms", "chat.admin.password=reliability",
				"chat.limits.handshakes-per-second=100000", "chat.limits.handshake-burst=100000" })
class DisguiseIntegrationTests {

	private static final AtomicInteger sequence = new AtomicInteger();

	/**
	 * Each test starts in an empty room: a previous test's client leaves after it closed, and its
	 * leave would otherwise arrive in the middle of the next test's exchange.
	 */
	@RegisterExtension
	final Room room = new Room();

	@LocalServerPort
	int port;

	AdminApi admin() {
		return AdminApi.of(this.port, "reliability");
	}

	@ParameterizedTest(name = "name {0}")
	@ValueSource(strings = { "\u202Eevil", "admin\u202E", "zero\u200Bwidth", "\u200Bbob", "join\u200Der",
			"\uFEFFbom", "bell\u0007", "nul\u0000x", "del\u007F", "nel\u0085x", "lri\u2066x", "tab\tin" })
	void aDisguisingNameIsRefusedAtConnect(String name) {
		try (ChatClient client = ChatClient.connect(this.port, name)) {
			JsonNode welcome = client.next("welcome");
			assertThat(welcome.path("name").asString()).matches("user-[0-9a-f]{6}");
			assertThat(client.next("error").path("code").asString()).isEqualTo("invalid-name");
			assertThat(client.next("presence").path("name").asString()).isEqualTo(welcome.path("name").asString());
			assertThat(admin().onlineNames()).doesNotContain(name);
		}
	}

	@ParameterizedTest(name = "name {0}")
	@ValueSource(strings = { "\u202Eevil", "zero\u200Bwidth", "join\u200Der", "bell\u0007", "nul\u0000x",
			"lri\u2066x", "\u202Dltr" })
	void aDisguisingNameIsRefusedOnRename(String name) {
		String own = "renamer" + sequence.incrementAndGet();
		try (ChatClient client = ChatClient.join(this.port, own)) {
			client.send("rename|" + name);
			assertThat(client.next("error").path("code").asString()).isEqualTo("invalid-name");
			client.send("{\"type\":\"rename\",\"name\":\"" + jsonEscape(name) + "\"}");
			assertThat(client.next("error").path("code").asString()).isEqualTo("invalid-name");

			client.send("who");
			JsonNode users = client.next("users");
			assertThat(users.path("users").findValuesAsString("name")).contains(own).doesNotContain(name);
			assertThat(admin().onlineNames()).contains(own).doesNotContain(name);
		}
	}

	@Test
	void textsReachOthersWithoutControlAndBidiCharacters() {
		try (ChatClient reader = ChatClient.join(this.port, "reader"); ChatClient writer = ChatClient.join(this.port, "writer")) {
			reader.next("presence");

			writer.send("pay \u202Eevil\u202C to\u0007 me\r\u001B[31m");
			assertThat(textOfNextChat(reader)).isEqualTo("pay evil to me[31m");

			writer.send("{\"type\":\"chat\",\"text\":\"a\\u202Eb\\u2067c\\u2069d\\u0000e\\u009Bf\"}");
			assertThat(textOfNextChat(reader)).isEqualTo("abcdef");

			writer.send("to|reader|left\u202Eright");
			JsonNode whisper = reader.next("private");
			assertThat(whisper.path("text").asString()).isEqualTo("leftright");

			// Kept: tab and newline, and the zero-width characters that scripts and emoji need
			// (they cannot reorder what follows them).
			writer.send("{\"type\":\"chat\",\"text\":\"line\\n\\tnext \u0E20\u200B\u0E32 \uD83D\uDC68\u200D\uD83D\uDCBB\"}");
			assertThat(textOfNextChat(reader)).isEqualTo("line\n\tnext \u0E20\u200B\u0E32 \uD83D\uDC68\u200D\uD83D\uDCBB");

			writer.send("\u202E\u0007\u2066\u001B");
			assertThat(writer.nextOfType("error").path("code").asString()).isEqualTo("empty-text");

			writer.send("still here");
			assertThat(textOfNextChat(reader)).as("the empty one was never broadcast").isEqualTo("still here");
		}
	}

	private static String textOfNextChat(ChatClient client) {
		return client.nextOfType("chat").path("text").asString();
	}

	private static String jsonEscape(String value) {
		StringBuilder escaped = new StringBuilder();
		for (char c : value.toCharArray()) {
			escaped.append((c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? "\\u%04x".formatted((int) c) : c);
		}
		return escaped.toString();
	}

}
