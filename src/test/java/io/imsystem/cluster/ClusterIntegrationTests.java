package io.imsystem.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;
import io.imsystem.support.Prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes in cluster mode on the shared Redis, with real WebSocket clients on each: what a user
 * sees does not depend on the node they reached. Each test starts with nobody online anywhere.
 */
class ClusterIntegrationTests {

	private static final String PREFIX = TestRedis.prefix(ClusterIntegrationTests.class);

	private static TestNode a;

	private static TestNode b;

	private final List<ChatClient> clients = new ArrayList<>();

	@BeforeAll
	static void startNodes() {
		TestRedis.requireShared();
		a = TestNode.start("node-a", TestRedis.SHARED_PORT, PREFIX);
		b = TestNode.start("node-b", TestRedis.SHARED_PORT, PREFIX);
	}

	@AfterAll
	static void stopNodes() {
		try {
			if (b != null) {
				b.close();
			}
		}
		finally {
			if (a != null) {
				a.close();
			}
			try (TestRedis redis = TestRedis.sharing(TestRedis.SHARED_PORT, PREFIX)) {
				// Its close removes every key of the prefix.
			}
		}
	}

	@BeforeEach
	void nobodyOnline() {
		// Counts are exact only once the previous test's users have left everywhere.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.admin().onlineNames()).isEmpty());
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(ChatClient::closeQuietly);
	}

	private ChatClient join(TestNode node, String name) {
		ChatClient client = ChatClient.join(node.port(), name);
		this.clients.add(client);
		return client;
	}

	@Test
	void aChatReachesEverySessionOfBothNodesExactlyOnce() {
		ChatClient ann = join(a, "ann");
		ChatClient amy = join(a, "amy");
		ChatClient bob = join(b, "bob");
		ChatClient ben = join(b, "ben");
		ann.awaitJoins("amy", "bob", "ben");
		amy.awaitJoins("bob", "ben");
		bob.awaitJoins("ben");

		ann.send("hello from a");
		// Its echo means it is on its way to node b: the fences, from both nodes, come after it
		// everywhere, and so would any second copy of it.
		List<JsonNode> atAnn = new ArrayList<>(ann.untilChats("hello from a"));
		amy.send("fence a");
		ben.send("fence b");
		atAnn.addAll(ann.untilChats("fence a", "fence b"));

		for (ChatClient client : List.of(amy, bob, ben)) {
			List<JsonNode> events = client.untilChats("hello from a", "fence a", "fence b");
			assertThat(chats(events, "hello from a")).as("hello at %s", events).hasSize(1);
			assertThat(chats(events, "fence a")).hasSize(1);
			assertThat(chats(events, "fence b")).hasSize(1);
			assertThat(chats(events, "hello from a").get(0).path("from").asString()).isEqualTo("ann");
		}
		assertThat(chats(atAnn, "hello from a")).as("the sender's echo").hasSize(1);
		assertThat(chats(atAnn, "fence a")).hasSize(1);
		assertThat(chats(atAnn, "fence b")).hasSize(1);
	}

	@Test
	void joinsRenamesAndLeavesOnOneNodeReachTheOtherNodeOnce() {
		ChatClient amy = join(a, "amy");
		ChatClient bob = join(b, "bob");
		ChatClient ann = join(a, "ann");
		ann.send("{\"type\":\"rename\",\"name\":\"anna\"}");
		// bob's join may reach node a after ann joined there (it travels a presence window later).
		ann.nextOfType("renamed");
		ann.close();

		List<JsonNode> changes = new ArrayList<>();
		while (changes.stream().noneMatch((change) -> change.path("event").asString().equals("leave"))) {
			changes.addAll(presenceChanges(List.of(bob.next())));
		}
		// Sent once the leave has arrived: a copy of any change of node a would come before it.
		amy.send("fence");
		changes.addAll(presenceChanges(bob.untilChats("fence")));

		assertThat(changes).filteredOn((change) -> !change.path("name").asString().equals("amy"))
			.extracting((change) -> change.path("event").asString() + " " + change.path("name").asString())
			.containsExactly("join ann", "rename anna", "leave anna");
		assertThat(changes).filteredOn((change) -> change.path("event").asString().equals("rename"))
			.extracting((change) -> change.path("previousName").asString())
			.containsExactly("ann");
		assertThat(changes).filteredOn((change) -> change.path("event").asString().equals("leave"))
			.extracting((change) -> change.path("reason").asString())
			.containsExactly("quit");
	}

	/** The presence changes among these events, a batch's one by one. */
	static List<JsonNode> presenceChanges(List<JsonNode> events) {
		return events.stream().flatMap((event) -> ChatClient.changesOf(event).stream()).toList();
	}

	@Test
	void aPrivateMessageReachesItsTargetOnTheOtherNodeWithOneReceipt() {
		ChatClient ann = join(a, "ann");
		ChatClient bob = join(b, "bob");
		ann.send("to|Bob|psst");
		JsonNode delivered = bob.nextOfType("private");
		assertThat(delivered.path("from").asString()).isEqualTo("ann");
		assertThat(delivered.path("to").asString()).isEqualTo("bob");
		assertThat(delivered.path("text").asString()).isEqualTo("psst");

		ann.send("fence");
		List<JsonNode> atAnn = ann.untilChats("fence");
		assertThat(atAnn).filteredOn((event) -> event.path("type").asString().equals("private")).hasSize(1);
		List<JsonNode> atBob = bob.untilChats("fence");
		assertThat(atBob).filteredOn((event) -> event.path("type").asString().equals("private")).isEmpty();
	}

	@Test
	void aNameIsUniqueAcrossNodesWhateverItsCase() {
		join(a, "Zed");
		ChatClient other = ChatClient.connect(b.port(), "zED");
		this.clients.add(other);
		JsonNode welcome = other.next("welcome");
		assertThat(welcome.path("name").asString()).isNotEqualToIgnoringCase("zed");
		assertThat(other.next("error").path("code").asString()).isEqualTo("name-taken");
	}

	@Test
	void ofTwoRenamesToOneNameOnTwoNodesExactlyOneWins() {
		for (int round = 0; round < 5; round++) {
			ChatClient ann = join(a, "ann" + round);
			ChatClient bob = join(b, "bob" + round);
			String prize = "prize" + round;
			CompletableFuture<Void> first = CompletableFuture.runAsync(() -> ann.send("rename|" + prize));
			CompletableFuture<Void> second = CompletableFuture.runAsync(() -> bob.send("rename|" + prize.toUpperCase()));
			CompletableFuture.allOf(first, second).join();
			JsonNode annAnswer = ann.nextMatching(ClusterIntegrationTests::renameAnswer);
			JsonNode bobAnswer = bob.nextMatching(ClusterIntegrationTests::renameAnswer);
			assertThat(List.of(annAnswer.path("type").asString(), bobAnswer.path("type").asString()))
				.as("round %d", round)
				.containsExactlyInAnyOrder("renamed", "error");
			JsonNode refused = annAnswer.path("type").asString().equals("error") ? annAnswer : bobAnswer;
			assertThat(refused.path("code").asString()).isEqualTo("name-taken");
			assertThat(a.admin().onlineNames()).filteredOn((name) -> name.equalsIgnoreCase(prize)).hasSize(1);
		}
	}

	@Test
	void whoTheWelcomeTheAdminApiAndTheActuatorCoverBothNodes() {
		ChatClient ann = join(a, "ann");
		ChatClient bob = ChatClient.connect(b.port(), "bob");
		this.clients.add(bob);
		assertThat(bob.next("welcome").path("online").asInt()).isEqualTo(2);
		assertThat(bob.next("presence").path("online").asInt()).isEqualTo(2);
		// The frame that carries bob's join, a single one or a batch (whose entries have no count).
		JsonNode joined = ann.nextMatching((frame) -> carriesJoinOf(frame, "bob"));
		assertThat(joined.path("online").asInt()).isEqualTo(2);

		ann.send("who");
		JsonNode users = ann.nextOfType("users").path("users");
		assertThat(users.findValuesAsString("name")).containsExactlyInAnyOrder("ann", "bob");

		for (TestNode node : List.of(a, b)) {
			JsonNode listed = node.http().get("/api/admin/users").json();
			assertThat(listed.findValuesAsString("name")).containsExactly("ann", "bob");
			assertThat(listed.findValuesAsString("node")).containsExactly("node-a", "node-b");
			assertThat(node.http().get("/actuator/chat").json().path("online").asInt()).isEqualTo(2);
		}
	}

	@Test
	void theNodesApiListsEveryLiveNodeWithItsOnlineCount() {
		join(a, "ann");
		join(b, "bob");
		join(b, "ben");
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode answer = b.http().get("/api/admin/nodes").json();
			assertThat(answer.path("answeredBy").asString()).isEqualTo("node-b");
			assertThat(answer.path("nodes").findValuesAsString("node")).containsExactly("node-a", "node-b");
			assertThat(answer.path("nodes").findValues("online")).extracting(JsonNode::asInt).containsExactly(1, 2);
		});
		JsonNode node = a.http().get("/api/admin/nodes").json().path("nodes").get(0);
		assertThat(node.path("lastHeartbeat").asString()).isNotEmpty();
		assertThat(Http.anonymous(a.port()).get("/api/admin/nodes").status()).isEqualTo(401);
	}

	@Test
	void aTimeoutSetOnOneNodeShowsAndAppliesOnTheOtherAndBothListTheSameKicks() {
		ChatClient bob = join(b, "bob");
		try {
			Http.Response put = a.http().put("/api/admin/timeout", "{\"timeoutSeconds\":2,\"warningSeconds\":0}");
			assertThat(put.status()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(b.http().get("/api/admin/timeout").json().path("timeoutSeconds").asLong())
					.isEqualTo(2));

			// bob, on node b, says nothing: node b's sweeper kicks him at the timeout set on node a.
			JsonNode kicked = bob.nextOfType("kicked");
			assertThat(kicked.path("reason").asString()).isEqualTo("idle");
			assertThat(bob.awaitClose().code()).isEqualTo(4408);
		}
		finally {
			a.http().put("/api/admin/timeout", "{\"timeoutSeconds\":300,\"warningSeconds\":30}");
		}
		for (TestNode node : List.of(a, b)) {
			List<JsonNode> kicks = node.admin().kicks();
			assertThat(kicks).as("kicks on %s", node.id()).isNotEmpty();
			assertThat(kicks.get(0).path("name").asString()).isEqualTo("bob");
			assertThat(kicks.get(0).path("reason").asString()).isEqualTo("idle");
			assertThat(kicks.get(0).path("node").asString()).isEqualTo("node-b");
			JsonNode audit = node.http().get("/api/admin/audit").json();
			assertThat(audit.findValuesAsString("node")).contains("node-a");
		}
		assertThat(b.admin().kicks().toString()).isEqualTo(a.admin().kicks().toString());
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(b.http().get("/api/admin/timeout").json().path("timeoutSeconds").asLong())
				.isEqualTo(300));
	}

	@Test
	void anAdministratorOnOneNodeReachesAUserOnTheOther() {
		ChatClient bob = join(b, "bob");
		assertThat(a.admin().overrideTimeout("Bob", 3600)).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode listed = b.http().get("/api/admin/users").json().get(0);
			assertThat(listed.path("timeoutSeconds").asLong()).isEqualTo(3600);
			assertThat(listed.path("override").asBoolean()).isTrue();
		});

		Http.Response kick = a.http().post("/api/admin/users/bob/kick", "{\"message\":\"from node a\"}");
		assertThat(kick.status()).isEqualTo(200);
		assertThat(kick.json().path("node").asString()).isEqualTo("node-b");
		JsonNode kicked = bob.nextOfType("kicked");
		assertThat(kicked.path("reason").asString()).isEqualTo("admin");
		assertThat(kicked.path("message").asString()).isEqualTo("from node a");
		assertThat(bob.awaitClose().code()).isEqualTo(4403);
		assertThat(a.http().post("/api/admin/users/bob/kick", null).status()).isEqualTo(404);
	}

	@Test
	void eachNodeExportsItsClusterMeters() {
		ChatClient ann = join(a, "ann");
		ChatClient bob = join(b, "bob");
		bob.send("hello node a");
		assertThat(ann.nextOfType("chat").path("text").asString()).isEqualTo("hello node a");

		assertThat(Prometheus.value(a.port(), "chat_cluster_link_up")).isEqualTo(1.0);
		assertThat(Prometheus.value(a.port(), "chat_cluster_nodes_alive")).isEqualTo(2.0);
		assertThat(Prometheus.value(a.port(), "chat_cluster_lag_seconds_count")).isPositive();
		String scraped = Http.anonymous(a.port()).get("/actuator/prometheus").body();
		assertThat(scraped).containsPattern("chat_cluster_events_total\\{direction=\"received\"[^}]*} [1-9]");
		assertThat(scraped).containsPattern("chat_cluster_events_total\\{direction=\"published\"[^}]*} [1-9]");
		assertThat(scraped).contains("chat_cluster_resubscribes_total");
		// This node's own sessions, not the cluster's.
		assertThat(Prometheus.sessionsActive(a.port())).isEqualTo(1);
	}

	private static boolean carriesJoinOf(JsonNode frame, String name) {
		return ChatClient.changesOf(frame)
			.stream()
			.anyMatch((change) -> change.path("event").asString().equals("join")
					&& change.path("name").asString().equals(name));
	}

	private static boolean renameAnswer(JsonNode event) {
		String type = event.path("type").asString();
		return type.equals("renamed") || type.equals("error");
	}

	static List<JsonNode> chats(List<JsonNode> events, String text) {
		return events.stream()
			.filter((event) -> event.path("type").asString().equals("chat") && event.path("text").asString().equals(text))
			.toList();
	}

}
