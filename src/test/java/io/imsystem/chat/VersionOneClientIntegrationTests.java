package io.imsystem.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import io.imsystem.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client written against contract version 1 knows only the single-change presence frames and
 * ignores events it does not know ({@code batch}, {@code count}): it still shows the right online
 * count after every single-change frame it reads, crowds that came and went in batches included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "chat.presence.window=300ms")
class VersionOneClientIntegrationTests {

	private static final int CROWD = 5;

	@LocalServerPort
	int port;

	@Test
	void aVersionOneClientShowsTheRightCountAfterEverySingleChangeFrame() {
		List<ChatClient> crowd = new ArrayList<>();
		try (ChatClient v1 = ChatClient.join(this.port, "v1-reader")) {
			List<CompletableFuture<ChatClient>> joining = IntStream.range(0, CROWD)
				.mapToObj((i) -> CompletableFuture.supplyAsync(() -> ChatClient.join(this.port, "v1-crowd" + i)))
				.toList();
			joining.forEach((future) -> crowd.add(future.join()));
			// The crowd's joins reach the reader (as batches, single frames, or both): let them pass.
			v1.awaitJoins(IntStream.range(0, CROWD).mapToObj((i) -> "v1-crowd" + i).toArray(String[]::new));

			try (ChatClient last = ChatClient.join(this.port, "v1-last")) {
				JsonNode join = v1.next("presence");
				assertThat(join.path("event").asString()).isEqualTo("join");
				assertThat(join.path("name").asString()).isEqualTo("v1-last");
				// What a version-1 client shows: the reader, the crowd it never saw by name, and last.
				assertThat(join.path("online").asInt()).isEqualTo(CROWD + 2);

				crowd.forEach(ChatClient::close);
				// The crowd's leaves: one batch, several frames or both; a frame may hold several.
				Set<String> left = new HashSet<>();
				while (left.size() < CROWD) {
					JsonNode frame = v1.next("presence");
					List<JsonNode> changes = ChatClient.changesOf(frame);
					for (JsonNode change : changes) {
						assertThat(change.path("event").asString()).isEqualTo("leave");
						left.add(change.path("name").asString());
					}
				}
			}
			JsonNode leave = v1.next("presence");
			assertThat(leave.path("event").asString()).isEqualTo("leave");
			assertThat(leave.path("name").asString()).isEqualTo("v1-last");
			assertThat(leave.path("online").asInt()).isEqualTo(1);
		}
		finally {
			crowd.forEach(ChatClient::closeQuietly);
		}
	}

}
