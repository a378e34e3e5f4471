package io.imsystem.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Prometheus;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A room filling up at once, with the default presence settings (contract version 2): every client
 * learns of every later join exactly once, in batches, and no client gets more presence frames than
 * the windows the node closed (the N²/2 frames of version 1 would be about 100 per client here).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.limits.handshakes-per-second=100000", "chat.limits.handshake-burst=100000",
				"chat.limits.connections-per-address=1000" })
class PresenceStormIntegrationTests {

	private static final int CLIENTS = 200;

	@LocalServerPort
	int port;

	@Test
	void twoHundredClientsConnectingAtOnceEachSeeEveryLaterJoinOnceAndAtMostAFrameAWindow() {
		List<ChatClient> clients = new ArrayList<>();
		try {
			List<CompletableFuture<ChatClient>> connecting = IntStream.range(0, CLIENTS)
				.mapToObj((i) -> CompletableFuture.supplyAsync(() -> ChatClient.connect(this.port, "storm" + i)))
				.toList();
			connecting.forEach((future) -> clients.add(future.join()));
			Set<String> everyone = new HashSet<>();
			IntStream.range(0, CLIENTS).forEach((i) -> everyone.add("storm" + i));

			List<View> views = new ArrayList<>();
			for (ChatClient client : clients) {
				views.add(View.of(client));
			}
			// Each client sees the joins of everyone who came after it: the others were counted in
			// its welcome. Applied in order, its view ends with exactly the whole room.
			for (View view : views) {
				view.readUntilOnline(CLIENTS);
			}
			double windows = Prometheus.value(this.port, "chat_presence_windows_total");
			for (View view : views) {
				assertThat(view.joinsSeen).as("%s: no join twice, none of an earlier user", view.name)
					.hasSize(CLIENTS - view.welcomeOnline)
					.doesNotHaveDuplicates()
					.doesNotContain(view.name);
				assertThat(view.frames).as("%s: presence frames, at most one per window (%s windows)", view.name, windows)
					.isLessThanOrEqualTo((int) windows);
			}
			// Every client asks who is there: its earlier users and its joins seen make the room.
			ChatClient last = clients.get(CLIENTS - 1);
			last.send("{\"type\":\"who\"}");
			Set<String> listed = new HashSet<>();
			last.nextOfType("users").path("users").forEach((user) -> listed.add(user.path("name").asString()));
			assertThat(listed).isEqualTo(everyone);
		}
		finally {
			clients.forEach(ChatClient::close);
			await().until(() -> Prometheus.sessionsActive(this.port) == 0);
		}
	}

	/** One client's presence view, built from its own frames only. */
	private static final class View {

		final ChatClient client;

		final String name;

		final int welcomeOnline;

		final List<String> joinsSeen = new ArrayList<>();

		int frames;

		int online;

		private View(ChatClient client, String name, int welcomeOnline) {
			this.client = client;
			this.name = name;
			this.welcomeOnline = welcomeOnline;
			this.online = welcomeOnline;
		}

		static View of(ChatClient client) {
			JsonNode welcome = client.next("welcome");
			assertThat(welcome.path("protocol").asInt()).isEqualTo(2);
			JsonNode own = client.next("presence");
			assertThat(own.path("event").asString()).as("its own join comes right after its welcome").isEqualTo("join");
			assertThat(own.path("name").asString()).isEqualTo(welcome.path("name").asString());
			assertThat(own.path("online").asInt()).isEqualTo(welcome.path("online").asInt());
			return new View(client, welcome.path("name").asString(), welcome.path("online").asInt());
		}

		void readUntilOnline(int expected) {
			while (this.online < expected) {
				JsonNode frame = this.client.next("presence");
				this.frames++;
				this.online = frame.path("online").asInt();
				assertThat(frame.path("event").asString()).as("%s: names below the names limit", this.name)
					.isNotEqualTo("count");
				for (JsonNode change : ChatClient.changesOf(frame)) {
					assertThat(change.path("event").asString()).as("%s: only joins in a connect storm", this.name)
						.isEqualTo("join");
					this.joinsSeen.add(change.path("name").asString());
				}
			}
			assertThat(this.online).isEqualTo(expected);
		}

	}

}
