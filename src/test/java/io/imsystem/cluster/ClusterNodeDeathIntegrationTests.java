package io.imsystem.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.imsystem.support.ChatClient;
import io.imsystem.support.PackagedApp;

import static io.imsystem.cluster.ClusterIntegrationTests.presenceChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node as a separate process (the packaged jar), killed with SIGKILL or frozen with SIGSTOP
 * past its TTL, while a node in this JVM survives: the survivor's users see each of its users
 * leave once with reason {@code error}, and the names are free again; the frozen node, once
 * continued, finds itself declared dead and closes its stale sessions with 1012.
 */
class ClusterNodeDeathIntegrationTests {

	private static final String PREFIX = TestRedis.prefix(ClusterNodeDeathIntegrationTests.class);

	private static TestNode a;

	private static TestRedis redis;

	private final List<ChatClient> clients = new ArrayList<>();

	@BeforeAll
	static void startSurvivor() {
		TestRedis.requireShared();
		redis = TestRedis.sharing(TestRedis.SHARED_PORT, PREFIX);
		a = TestNode.start("node-a", TestRedis.SHARED_PORT, PREFIX);
	}

	@AfterAll
	static void stopSurvivor() {
		try {
			if (a != null) {
				a.close();
			}
		}
		finally {
			if (redis != null) {
				redis.close();
			}
		}
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(ChatClient::closeQuietly);
	}

	@Test
	void theUsersOfAKilledNodeLeaveOnceWithReasonErrorAndTheirNamesAreFree(@TempDir Path logs) throws Exception {
		Process node = startNode("node-k", logs.resolve("node-k.log"));
		try {
			int port = PackagedApp.awaitPort(logs.resolve("node-k.log"));
			ChatClient kim = track(await().atMost(Duration.ofSeconds(30)).until(() -> tryJoin(port, "kim"),
					Objects::nonNull));
			ChatClient ann = track(ChatClient.join(a.port(), "ann"));
			assertThat(a.admin().onlineNames()).containsExactlyInAnyOrder("ann", "kim");

			node.destroyForcibly();
			assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();

			JsonNode leave = ann.awaitChange("leave", "kim");
			assertThat(leave.path("reason").asString()).isEqualTo("error");
			// node-a reaped it alone: a second announcement would come before this.
			ann.send("fence");
			assertThat(presenceChanges(ann.untilChats("fence")))
				.filteredOn((change) -> change.path("name").asString().equals("kim"))
				.isEmpty();
			ChatClient again = track(ChatClient.connect(a.port(), "kim"));
			assertThat(again.next("welcome").path("name").asString()).isEqualTo("kim");
			assertThat(again.next("presence").path("event").asString()).isEqualTo("join");
			kim.closeQuietly();
		}
		finally {
			node.destroyForcibly();
		}
	}

	@Test
	void aFrozenNodeIsReapedAndOnceContinuedClosesItsStaleSessionsWith1012(@TempDir Path logs) throws Exception {
		Process node = startNode("node-f", logs.resolve("node-f.log"));
		try {
			int port = PackagedApp.awaitPort(logs.resolve("node-f.log"));
			ChatClient fay = track(await().atMost(Duration.ofSeconds(30)).until(() -> tryJoin(port, "fay"),
					Objects::nonNull));
			ChatClient ann = track(ChatClient.join(a.port(), "ann"));
			assertThat(a.admin().onlineNames()).containsExactlyInAnyOrder("ann", "fay");

			signal(node, "STOP");
			try {
				// Before node-f is declared dead (its TTL is 3 s), a kick finds the name still
				// owned there: node-f cannot confirm it, and the administrator is told so.
				assertThat(a.http().post("/api/admin/users/fay/kick", null).status()).isEqualTo(503);
				assertThat(ann.awaitChange("leave", "fay").path("reason").asString()).isEqualTo("error");
				// The name is free while the frozen node still holds its session.
				ChatClient other = track(ChatClient.connect(a.port(), "fay"));
				assertThat(other.next("welcome").path("name").asString()).isEqualTo("fay");
			}
			finally {
				signal(node, "CONT");
			}
			assertThat(fay.nextOfType("kicked").path("reason").asString()).isEqualTo("error");
			assertThat(fay.awaitClose().code()).isEqualTo(1012);
			// Its users were announced gone once, by node-a: the frozen node announces nothing again.
			ann.send("fence");
			assertThat(presenceChanges(ann.untilChats("fence")))
				.filteredOn((change) -> change.path("event").asString().equals("leave"))
				.isEmpty();
		}
		finally {
			node.destroyForcibly();
		}
	}

	/**
	 * A frozen node handles what queued up while it was stopped (here a client's closed socket)
	 * as soon as it runs again, perhaps before its heartbeat finds it declared dead. The user was
	 * announced gone already, by the survivor: nobody may be told so twice, and no name is listed
	 * twice.
	 */
	@Test
	void aUserWhoLeavesAFrozenNodeIsAnnouncedGoneOnceAndNoNameIsListedTwice(@TempDir Path logs) throws Exception {
		Process node = startNode("node-g", logs.resolve("node-g.log"));
		try {
			int port = PackagedApp.awaitPort(logs.resolve("node-g.log"));
			ChatClient gus = track(await().atMost(Duration.ofSeconds(30)).until(() -> tryJoin(port, "gus"),
					Objects::nonNull));
			ChatClient gil = track(ChatClient.join(port, "gil"));
			ChatClient ann = track(ChatClient.join(a.port(), "ann"));
			assertThat(a.admin().onlineNames()).containsExactlyInAnyOrder("ann", "gus", "gil");

			signal(node, "STOP");
			try {
				// Its close frame waits in the frozen node's socket; then the socket goes.
				gil.close();
				assertThat(leaves(ann, 2)).containsOnlyKeys("gil", "gus").containsValues("error");
				assertThat(who(ann)).containsExactly("ann");
				// gil's name is free, and taken here while the frozen node still holds the old session.
				track(ChatClient.join(a.port(), "gil"));
				assertThat(ann.awaitChange("join", "gil")).isNotNull();
			}
			finally {
				signal(node, "CONT");
			}
			assertThat(gus.nextOfType("kicked").path("reason").asString()).isEqualTo("error");
			assertThat(gus.awaitClose().code()).isEqualTo(1012);
			// The node is back in the room: a user of it speaks, after whatever it published on resuming.
			ChatClient gia = track(await().atMost(Duration.ofSeconds(15)).until(() -> tryJoin(port, "gia"),
					Objects::nonNull));
			gia.send("fence from node-g");
			List<JsonNode> changes = presenceChanges(ann.untilChats("fence from node-g"));
			assertThat(changes).as("what ann heard after the freeze")
				.filteredOn((change) -> change.path("event").asString().equals("leave"))
				.isEmpty();
			assertThat(who(ann)).containsExactlyInAnyOrder("ann", "gil", "gia");
			assertThat(who(gia)).containsExactlyInAnyOrder("ann", "gil", "gia");
		}
		finally {
			node.destroyForcibly();
		}
	}

	/** The next {@code count} leaves a client hears (however they are batched): name to reason. */
	private static Map<String, String> leaves(ChatClient client, int count) {
		Map<String, String> leaves = new HashMap<>();
		while (leaves.size() < count) {
			for (JsonNode change : ChatClient.changesOf(client.next())) {
				if (change.path("event").asString().equals("leave")) {
					assertThat(leaves.put(change.path("name").asString(), change.path("reason").asString()))
						.as("a second leave of %s", change.path("name").asString())
						.isNull();
				}
			}
		}
		return leaves;
	}

	/** The names a {@code who} lists, each as often as listed. */
	private static List<String> who(ChatClient client) {
		client.send("who");
		return client.nextOfType("users").path("users").findValuesAsString("name");
	}

	private ChatClient track(ChatClient client) {
		this.clients.add(client);
		return client;
	}

	private static ChatClient tryJoin(int port, String name) {
		try {
			return ChatClient.join(port, name);
		}
		catch (CompletionException ex) {
			return null;
		}
	}

	private static Process startNode(String id, Path log) throws IOException {
		return PackagedApp.start(log, List.of(), "--server.port=0", "--chat.tcp.enabled=false",
				"--chat.admin.password=x", "--chat.cluster.mode=redis", "--chat.cluster.node-id=" + id,
				"--chat.cluster.key-prefix=" + PREFIX, "--chat.cluster.node-ttl=3s", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + TestRedis.SHARED_PORT);
	}

	/** Sends a signal to a process this test started, by its PID. */
	private static void signal(Process process, String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
		assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(kill.exitValue()).isZero();
	}

}
