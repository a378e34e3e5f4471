package io.imsystem.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.imsystem.presence.NameDirectory.Owner;
import io.imsystem.presence.Presence;
import io.imsystem.support.ChatClient;

import static io.imsystem.cluster.ClusterIntegrationTests.presenceChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes coming and going, as the users of the nodes that stay see it: a node that stops says
 * goodbye for its users at once; a node that dies is reaped by exactly one survivor, which
 * announces its users' leaves; a node that was declared dead while frozen drops its stale
 * sessions with 1012 and takes users again.
 */
class ClusterLifecycleIntegrationTests {

	private static final String PREFIX = TestRedis.prefix(ClusterLifecycleIntegrationTests.class);

	private static TestNode a;

	private static TestNode b;

	private static TestRedis redis;

	private final List<ChatClient> clients = new ArrayList<>();

	@BeforeAll
	static void startNodes() {
		TestRedis.requireShared();
		redis = TestRedis.sharing(TestRedis.SHARED_PORT, PREFIX);
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
			if (redis != null) {
				redis.close();
			}
		}
	}

	@BeforeEach
	void nobodyOnline() {
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
	void aStoppingNodeKicksItsUsersAndEveryOtherUserSeesEachLeaveOnceAtOnce() {
		TestNode c = TestNode.start("node-c", TestRedis.SHARED_PORT, PREFIX);
		ChatClient ann;
		ChatClient cat;
		ChatClient cid;
		try {
			ann = join(a, "ann");
			cat = join(c, "cat");
			cid = join(c, "cid");
			ann.awaitJoins("cat", "cid");
		}
		finally {
			c.close();
		}
		for (ChatClient client : List.of(cat, cid)) {
			assertThat(client.nextOfType("kicked").path("reason").asString()).isEqualTo("shutdown");
			assertThat(client.awaitClose().code()).isEqualTo(1001);
		}
		// Well before node-c's heartbeat expires (15 s): the stopping node announced them itself.
		List<JsonNode> changes = new ArrayList<>();
		while (changes.stream().filter((change) -> change.path("event").asString().equals("leave")).count() < 2) {
			changes.addAll(presenceChanges(List.of(ann.next())));
		}
		// The names are free at once, on any node.
		join(a, "cat");
		join(b, "CID");
		ann.send("fence");
		changes.addAll(presenceChanges(ann.untilChats("fence")));

		assertThat(changes).filteredOn((change) -> change.path("event").asString().equals("leave"))
			.extracting((change) -> change.path("name").asString() + " " + change.path("reason").asString())
			.containsExactlyInAnyOrder("cat shutdown", "cid shutdown");
		assertThat(a.http().get("/api/admin/nodes").json().path("nodes").findValuesAsString("node"))
			.containsExactly("node-a", "node-b");
	}

	@Test
	void aNodeThatStopsHeartbeatingIsReapedOnceAndItsUsersLeaveForEveryoneWithReasonError() {
		ChatClient ann = join(a, "ann");
		ChatClient bob = join(b, "bob");
		// A node that registered two users and then died: it never heartbeats again.
		NodeRegistry ghost = new NodeRegistry(redis.template, redis.keys, "ghost", Duration.ofSeconds(3),
				new ClusterCodec());
		RedisPresence ghostPresence = new RedisPresence(redis.template, redis.keys, "ghost", new ClusterCodec());
		RedisNameDirectory names = new RedisNameDirectory(redis.template, redis.keys);
		ghost.register(System.currentTimeMillis(), 2);
		for (String name : List.of("gil", "gus")) {
			assertThat(names.claim(name, new Owner("ghost", name + "-session"))).isTrue();
			ghostPresence.put(new Presence.Member(name, "ghost", name + "-session", "127.0.0.1:1", null,
					System.currentTimeMillis(), System.currentTimeMillis(), 0, null));
		}
		assertThat(a.admin().onlineNames()).contains("gil", "gus");

		List<JsonNode> atAnn = leavesOf(ann, "gil", "gus");
		List<JsonNode> atBob = leavesOf(bob, "gil", "gus");
		// Sent once both saw the leaves: a second announcement, from either node, would come first.
		ann.send("fence a");
		bob.send("fence b");
		atAnn.addAll(presenceChanges(ann.untilChats("fence a", "fence b")));
		atBob.addAll(presenceChanges(bob.untilChats("fence a", "fence b")));
		for (List<JsonNode> changes : List.of(atAnn, atBob)) {
			// Only the ghost's users: the leave of the previous test's last user may still be on
			// its way (it travels a presence window after its name was freed).
			assertThat(changes).filteredOn((change) -> change.path("event").asString().equals("leave"))
				.filteredOn((change) -> change.path("name").asString().startsWith("g"))
				.extracting((change) -> change.path("name").asString() + " " + change.path("reason").asString())
				.containsExactlyInAnyOrder("gil error", "gus error");
		}
		assertThat(a.admin().onlineNames()).containsExactlyInAnyOrder("ann", "bob");
		ChatClient gil = ChatClient.connect(b.port(), "gil");
		this.clients.add(gil);
		assertThat(gil.next("welcome").path("name").asString()).isEqualTo("gil");
		assertThat(gil.next("presence").path("event").asString()).isEqualTo("join");
	}

	@Test
	void aNodeDeclaredDeadClosesItsSessionsWith1012AndTakesUsersAgain() {
		TestNode d = TestNode.start("node-d", TestRedis.SHARED_PORT, PREFIX, "chat.cluster.node-ttl=3s");
		try {
			ChatClient dan = join(d, "dan");
			await().atMost(Duration.ofSeconds(10)).until(() -> a.admin().onlineNames().contains("dan"));

			// What a survivor does when node-d's heartbeat has expired (as after a freeze).
			NodeRegistry survivor = new NodeRegistry(redis.template, redis.keys, "survivor", Duration.ofSeconds(15),
					new ClusterCodec());
			List<NodeRegistry.DeadNode> reaped = new ArrayList<>();
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				redis.template.delete(redis.keys.nodeAlive("node-d"));
				reaped.addAll(survivor.reap(System.currentTimeMillis()));
				return !reaped.isEmpty();
			});
			assertThat(reaped.get(0).members()).extracting(Presence.Member::name).containsExactly("dan");

			JsonNode kicked = dan.nextOfType("kicked");
			assertThat(kicked.path("reason").asString()).isEqualTo("error");
			assertThat(dan.awaitClose().code()).isEqualTo(1012);

			// The client reconnects and gets its name back; it is listed once.
			ChatClient again = ChatClient.connect(d.port(), "dan");
			this.clients.add(again);
			assertThat(again.next("welcome").path("name").asString()).isEqualTo("dan");
			assertThat(again.next("presence").path("event").asString()).isEqualTo("join");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(a.admin().onlineNames()).containsExactly("dan"));
			assertThat(a.http().get("/api/admin/nodes").json().path("nodes").findValuesAsString("node"))
				.contains("node-d");
		}
		finally {
			d.close();
		}
	}

	/** Takes presence changes until the leaves of these names have come; returns every change taken. */
	private static List<JsonNode> leavesOf(ChatClient client, String... names) {
		List<JsonNode> changes = new ArrayList<>();
		List<String> missing = new ArrayList<>(List.of(names));
		while (!missing.isEmpty()) {
			for (JsonNode change : presenceChanges(List.of(client.next()))) {
				changes.add(change);
				if (change.path("event").asString().equals("leave")) {
					missing.remove(change.path("name").asString());
				}
			}
		}
		return changes;
	}

}
