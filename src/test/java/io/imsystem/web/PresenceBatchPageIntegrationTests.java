package io.imsystem.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import io.imsystem.support.ChatClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crowd arriving at once reaches the page as batches (contract version 2): the user list and the
 * online count take in every change, and the log says "N people joined" in one line per batch, not
 * one line per person. The window is widened so that a crowd connecting on a busy machine still
 * shares one.
 */
@ExtendWith(BrowserInstalled.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.presence.window=1s", "chat.limits.handshakes-per-second=100000",
				"chat.limits.handshake-burst=100000" })
class PresenceBatchPageIntegrationTests {

	private static final int CROWD = 30;

	@LocalServerPort
	int port;

	@BeforeAll
	static void chromium() {
		Browser.assumeInstalled();
	}

	@Test
	void aCrowdJoiningAtOnceIsOneLineAndTheListAndCountStayRight() {
		List<ChatClient> crowd = new ArrayList<>();
		try (Browser browser = Browser.desktop()) {
			ChatPage alice = ChatPage.open(browser, this.port).join("alice");
			List<CompletableFuture<ChatClient>> joining = IntStream.range(0, CROWD)
				.mapToObj((i) -> CompletableFuture.supplyAsync(() -> ChatClient.join(this.port, "crowd" + i)))
				.toList();
			joining.forEach((future) -> crowd.add(future.join()));
			List<String> everyone = new ArrayList<>(List.of("alice"));
			IntStream.range(0, CROWD).forEach((i) -> everyone.add("crowd" + i));

			alice.waitUntil((driver) -> alice.users().size() == CROWD + 1);
			assertThat(alice.users()).containsExactlyInAnyOrderElementsOf(everyone);
			assertThat(alice.find("#online-count").getText()).isEqualTo(String.valueOf(CROWD + 1));
			assertThat(alice.awaitEntry("batch", "people joined").getText()).containsPattern("\\d+ people joined");
			assertThat(alice.entries("join")).as("one line per person only for your own join and lone joins")
				.hasSizeLessThan(CROWD);

			// Half of them leave at once: the list and the count follow.
			crowd.subList(0, CROWD / 2).forEach(ChatClient::close);
			alice.waitUntil((driver) -> alice.users().size() == CROWD / 2 + 1);
			List<String> stayed = new ArrayList<>(List.of("alice"));
			stayed.addAll(everyone.subList(CROWD / 2 + 1, CROWD + 1));
			assertThat(alice.users()).containsExactlyInAnyOrderElementsOf(stayed);
			assertThat(alice.find("#online-count").getText()).isEqualTo(String.valueOf(CROWD / 2 + 1));
		}
		finally {
			crowd.forEach(ChatClient::close);
		}
	}

}
