package io.imsystem.session;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The name rules as a client meets them: names a URL path would read as a dot segment, invisible
 * names and look-alikes of a name already online are refused; the displayed name is normalized.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=names-secret" })
class NamesIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void dotsAloneAreRefusedAtJoinAndRename() {
		for (String requested : new String[] { "..", ".", "..." }) {
			try (ChatClient client = ChatClient.connect(this.port, requested)) {
				assertThat(client.next("welcome").path("name").asString()).as(requested).startsWith("user-");
				assertThat(client.next("error").path("code").asString()).as(requested).isEqualTo("invalid-name");
			}
		}
		try (ChatClient alice = ChatClient.join(this.port, "dot-alice")) {
			// The clients above may still be leaving: their leaves can come before the answer.
			alice.send("{\"type\":\"rename\",\"name\":\"..\"}");
			assertThat(alice.nextOfType("error").path("code").asString()).isEqualTo("invalid-name");
			alice.send("rename|.");
			assertThat(alice.nextOfType("error").path("code").asString()).isEqualTo("invalid-name");
		}
	}

	@Test
	void invisibleNamesAreRefused() {
		for (String requested : new String[] { "\u3164", "\uFFA0", "\u115F\u1160", "\u2800", "\u0301" }) {
			try (ChatClient client = ChatClient.connect(this.port, requested)) {
				assertThat(client.next("welcome").path("name").asString()).startsWith("user-");
				assertThat(client.next("error").path("code").asString()).as("U+%04X", (int) requested.charAt(0))
					.isEqualTo("invalid-name");
			}
		}
	}

	@Test
	void aLookAlikeOfANameOnlineIsTaken() {
		try (ChatClient admin = ChatClient.join(this.port, "admin")) {
			// A Cyrillic а, then a Greek Α: both look like the Latin name online.
			for (String impostor : new String[] { "\u0430dmin", "\u0391DMIN", "\uFF41\uFF44\uFF4D\uFF49\uFF4E" }) {
				try (ChatClient client = ChatClient.connect(this.port, impostor)) {
					assertThat(client.next("welcome").path("name").asString()).startsWith("user-");
					assertThat(client.next("error").path("code").asString()).as(impostor).isEqualTo("name-taken");
				}
			}
			try (ChatClient other = ChatClient.join(this.port, "other")) {
				other.send("{\"type\":\"rename\",\"name\":\"\u0430dmin\"}");
				assertThat(other.nextOfType("error").path("code").asString()).isEqualTo("name-taken");
			}
		}
	}

	@Test
	void theDisplayedNameIsNormalized() {
		try (ChatClient client = ChatClient.connect(this.port, "jo\u0308rg")) {
			assertThat(client.next("welcome").path("name").asString()).isEqualTo("j\u00F6rg");
		}
		try (ChatClient client = ChatClient.connect(this.port, "\uFF4B\uFF49\uFF4D")) {
			assertThat(client.next("welcome").path("name").asString()).isEqualTo("kim");
			// The fullwidth and the ordinary spelling are one name, whatever the case.
			try (ChatClient other = ChatClient.connect(this.port, "KIM")) {
				other.next("welcome");
				assertThat(other.next("error").path("code").asString()).isEqualTo("name-taken");
			}
			JsonNode users = Http.basic(this.port, "root", "names-secret").get("/api/admin/users").json();
			assertThat(users.findValuesAsString("name")).contains("kim");
		}
	}

}
