package io.imsystem.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every row of the wire contract, seen by two or three real WebSocket clients of the started app
 * with its default settings.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ChatIntegrationTests {

	private static final String GENERATED_NAME = "user-[0-9a-f]{6}";

	@LocalServerPort
	private int port;

	@RegisterExtension
	final Room room = new Room();

	@Test
	void welcomeComesFirstThenTheOwnJoinWithTheSameOnlineCount() {
		ChatClient alice = this.room.connect("alice");
		JsonNode welcome = alice.next("welcome");
		assertThat(welcome.path("name").asString()).isEqualTo("alice");
		assertThat(welcome.path("online").asInt()).isEqualTo(1);
		assertThat(welcome.path("timeoutSeconds").isIntegralNumber()).isTrue();
		assertThat(welcome.path("timeoutSeconds").asLong()).isEqualTo(300);
		assertThat(welcome.path("warningSeconds").asLong()).isEqualTo(30);
		assertTimestamp(welcome);
		JsonNode join = alice.next("presence");
		assertThat(join.path("event").asString()).isEqualTo("join");
		assertThat(join.path("name").asString()).isEqualTo("alice");
		assertThat(join.path("online").asInt()).isEqualTo(1);
		assertTimestamp(join);

		ChatClient bob = this.room.connect("bob");
		JsonNode bobWelcome = bob.next("welcome");
		JsonNode bobJoin = bob.next("presence");
		assertThat(bobWelcome.path("online").asInt()).isEqualTo(2);
		assertThat(bobJoin.path("online").asInt()).isEqualTo(bobWelcome.path("online").asInt());
		assertThat(bobJoin.path("name").asString()).isEqualTo("bob");

		JsonNode seenByAlice = alice.next("presence");
		assertThat(seenByAlice.path("event").asString()).isEqualTo("join");
		assertThat(seenByAlice.path("name").asString()).isEqualTo("bob");
		assertThat(seenByAlice.path("online").asInt()).isEqualTo(2);
	}

	@Test
	void chatIsBroadcastToEverySessionIncludingTheSender() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		ChatClient carol = this.room.join("carol");
		alice.awaitJoins("bob", "carol");
		bob.awaitJoins("carol");
		alice.send("{\"type\":\"chat\",\"text\":\"hi all\"}");
		for (ChatClient client : List.of(alice, bob, carol)) {
			JsonNode chat = client.next("chat");
			assertThat(chat.path("from").asString()).isEqualTo("alice");
			assertThat(chat.path("text").asString()).isEqualTo("hi all");
			assertTimestamp(chat);
		}
	}

	@Test
	void privateGoesToTheTargetWithAReceiptForTheSenderAndNobodyElse() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		ChatClient carol = this.room.join("carol");
		alice.awaitJoins("bob", "carol");
		bob.awaitJoins("carol");
		alice.send("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"psst\"}");
		JsonNode delivered = bob.next("private");
		assertThat(delivered.path("from").asString()).isEqualTo("alice");
		assertThat(delivered.path("to").asString()).isEqualTo("bob");
		assertThat(delivered.path("text").asString()).isEqualTo("psst");
		assertTimestamp(delivered);
		JsonNode receipt = alice.next("private");
		assertThat(receipt).isEqualTo(delivered);
		// Alice's frames are handled in order: carol's next event is the later broadcast.
		alice.send("fence");
		assertThat(carol.next().path("type").asString()).isEqualTo("chat");
		assertThat(bob.next("chat").path("text").asString()).isEqualTo("fence");
	}

	@Test
	void privateToOneselfIsDeliveredOnce() {
		ChatClient alice = this.room.join("alice");
		alice.send("to|alice|note to self");
		JsonNode note = alice.next("private");
		assertThat(note.path("from").asString()).isEqualTo("alice");
		assertThat(note.path("to").asString()).isEqualTo("alice");
		assertThat(note.path("text").asString()).isEqualTo("note to self");
		alice.send("fence");
		assertThat(alice.next("chat").path("text").asString()).isEqualTo("fence");
	}

	@Test
	void lookupsAreCaseInsensitive() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("Bob");
		alice.nextOfType("presence");
		alice.send("{\"type\":\"private\",\"to\":\"BOB\",\"text\":\"hi\"}");
		JsonNode delivered = bob.next("private");
		assertThat(delivered.path("to").asString()).isEqualTo("Bob");
		assertThat(alice.next("private")).isEqualTo(delivered);
		bob.send("to|ALICE|hi back");
		assertThat(alice.next("private").path("text").asString()).isEqualTo("hi back");
	}

	@Test
	void renameTellsTheRenamerAndEveryone() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		alice.nextOfType("presence");
		alice.send("{\"type\":\"rename\",\"name\":\" alicia \"}");
		JsonNode renamed = alice.next("renamed");
		assertThat(renamed.path("name").asString()).isEqualTo("alicia");
		assertThat(renamed.path("previousName").asString()).isEqualTo("alice");
		assertTimestamp(renamed);
		for (ChatClient client : List.of(alice, bob)) {
			JsonNode presence = client.next("presence");
			assertThat(presence.path("event").asString()).isEqualTo("rename");
			assertThat(presence.path("name").asString()).isEqualTo("alicia");
			assertThat(presence.path("previousName").asString()).isEqualTo("alice");
			assertThat(presence.path("online").asInt()).isEqualTo(2);
			assertTimestamp(presence);
		}
		bob.send("to|alice|old name");
		assertError(bob, "unknown-user");
		bob.send("to|alicia|new name");
		assertThat(alice.next("private").path("text").asString()).isEqualTo("new name");
		alice.send("now as alicia");
		assertThat(bob.nextOfType("chat").path("from").asString()).isEqualTo("alicia");
	}

	@Test
	void namesAreUniqueCaseInsensitivelyButOwnCaseVariantsAreAllowed() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		alice.nextOfType("presence");
		bob.send("rename|ALICE");
		assertError(bob, "name-taken");
		bob.send("{\"type\":\"rename\",\"name\":\"Alice\"}");
		assertError(bob, "name-taken");
		bob.send("rename|BOB");
		JsonNode renamed = bob.next("renamed");
		assertThat(renamed.path("name").asString()).isEqualTo("BOB");
		assertThat(renamed.path("previousName").asString()).isEqualTo("bob");
		JsonNode presence = alice.next("presence");
		assertThat(presence.path("event").asString()).isEqualTo("rename");
		assertThat(presence.path("name").asString()).isEqualTo("BOB");
	}

	@Test
	void aTakenNameOnConnectGetsAGeneratedNameAndNameTakenRightAfterWelcome() {
		ChatClient alice = this.room.join("alice");
		ChatClient impostor = this.room.connect("ALICE");
		JsonNode welcome = impostor.next("welcome");
		String name = welcome.path("name").asString();
		assertThat(name).matches(GENERATED_NAME);
		assertThat(impostor.next("error").path("code").asString()).isEqualTo("name-taken");
		JsonNode join = impostor.next("presence");
		assertThat(join.path("event").asString()).isEqualTo("join");
		assertThat(join.path("name").asString()).isEqualTo(name);
		assertThat(join.path("online").asInt()).isEqualTo(welcome.path("online").asInt()).isEqualTo(2);
		assertThat(alice.next("presence").path("name").asString()).isEqualTo(name);
	}

	@Test
	void anInvalidNameOnConnectGetsAGeneratedNameAndInvalidName() {
		for (String requested : List.of("a b", "a|b", "x".repeat(33), "\u202Eevil")) {
			try (ChatClient client = ChatClient.connect(this.port, requested)) {
				JsonNode welcome = client.next("welcome");
				assertThat(welcome.path("name").asString()).as(requested).matches(GENERATED_NAME);
				assertThat(client.next("error").path("code").asString()).as(requested).isEqualTo("invalid-name");
				assertThat(client.next("presence").path("name").asString()).isEqualTo(welcome.path("name").asString());
			}
		}
	}

	@Test
	void anEmptyNameOnConnectIsTheSameAsNone() {
		ChatClient empty = this.room.connect("");
		assertThat(empty.next("welcome").path("name").asString()).matches(GENERATED_NAME);
		assertThat(empty.next().path("type").asString()).isEqualTo("presence");
		ChatClient none = this.room.connect(null);
		assertThat(none.next("welcome").path("name").asString()).matches(GENERATED_NAME);
		assertThat(none.next().path("type").asString()).isEqualTo("presence");
	}

	@Test
	void aRequestedNameIsTrimmedAndMayUseAnyScript() {
		ChatClient trimmed = this.room.connect(" bob ");
		assertThat(trimmed.next("welcome").path("name").asString()).isEqualTo("bob");
		assertThat(trimmed.next().path("type").asString()).isEqualTo("presence");
		ChatClient chinese = this.room.connect("张伟");
		assertThat(chinese.next("welcome").path("name").asString()).isEqualTo("张伟");
		assertThat(chinese.next().path("type").asString()).isEqualTo("presence");
	}

	@Test
	void whoListsTheUsersWithConnectedAtAndIdleSeconds() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		for (String frame : List.of("{\"type\":\"who\"}", "who")) {
			bob.send(frame);
			JsonNode users = bob.next("users");
			assertTimestamp(users);
			assertThat(users.path("users").size()).isEqualTo(2);
			List<String> names = new ArrayList<>();
			for (JsonNode user : users.path("users")) {
				names.add(user.path("name").asString());
				assertThat(user.path("connectedAt").isIntegralNumber()).isTrue();
				assertThat(user.path("connectedAt").asLong()).isBetween(1_700_000_000_000L, users.path("ts").asLong());
				assertThat(user.path("idleSeconds").isIntegralNumber()).isTrue();
				assertThat(user.path("idleSeconds").asLong()).isGreaterThanOrEqualTo(0);
			}
			assertThat(names).containsExactlyInAnyOrder("alice", "bob");
		}
		// Who answers only the asker.
		bob.send("fence");
		assertThat(alice.nextOfType("chat").path("text").asString()).isEqualTo("fence");
	}

	@Test
	void pingGetsPong() {
		ChatClient alice = this.room.join("alice");
		alice.send("{\"type\":\"ping\"}");
		JsonNode pong = alice.next("pong");
		assertTimestamp(pong);
	}

	@Test
	void everyErrorCodeOverTheWireAndNoneClosesTheSession() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		alice.nextOfType("presence");
		String[][] cases = { { "{", "bad-json" }, { "{\"type\":\"chat\",\"text\":\"hi\"} trailing", "bad-json" },
				{ "{\"type\":\"nope\"}", "unknown-type" }, { "{\"text\":\"hi\"}", "unknown-type" },
				{ "{\"type\":7}", "unknown-type" }, { "{\"type\":\"chat\"}", "empty-text" },
				{ "{\"type\":\"chat\",\"text\":\"   \"}", "empty-text" }, { "to|bob", "empty-text" },
				{ "{\"type\":\"chat\",\"text\":\"" + "a".repeat(1001) + "\"}", "text-too-long" },
				{ "to|bob|" + "字".repeat(1001), "text-too-long" }, { "to|nobody|hi", "unknown-user" },
				{ "to||hi", "unknown-user" }, { "{\"type\":\"private\",\"text\":\"hi\"}", "unknown-user" },
				{ "rename|BOB", "name-taken" }, { "rename|", "invalid-name" },
				{ "{\"type\":\"rename\"}", "invalid-name" }, { "rename|a b", "invalid-name" } };
		for (String[] errorCase : cases) {
			alice.send(errorCase[0]);
			JsonNode error = alice.next();
			assertThat(error.path("type").asString()).as("answer to %s", errorCase[0]).isEqualTo("error");
			assertThat(error.path("code").asString()).as("code for %s", errorCase[0]).isEqualTo(errorCase[1]);
			assertThat(error.path("message").asString()).isNotBlank();
			assertTimestamp(error);
		}
		// A full-length text is fine, counted in characters, not bytes.
		alice.send("{\"type\":\"chat\",\"text\":\"" + "字".repeat(1000) + "\"}");
		assertThat(bob.next("chat").path("text").asString()).hasSize(1000);
		assertThat(alice.next("chat").path("from").asString()).isEqualTo("alice");
		assertThat(alice.isClosed()).isFalse();
	}

	@Test
	void aFloodIsDroppedOverTheLimitAndItsErrorsAreThrottled() {
		ChatClient flooder = this.room.join("flooder");
		ChatClient observer = this.room.join("observer");
		flooder.nextOfType("presence");
		long start = System.nanoTime();
		for (int i = 0; i < 200; i++) {
			flooder.send("flood-" + i);
		}
		// Once a later frame gets through, every flood frame has been handled or dropped.
		List<JsonNode> observed = new ArrayList<>();
		await().pollDelay(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10))
			.until(() -> {
				flooder.send("marker");
				observed.addAll(observer.drain());
				return observed.stream().anyMatch((event) -> event.path("text").asString().equals("marker"));
			});
		double seconds = (System.nanoTime() - start) / 1e9;
		List<Integer> broadcast = floodIndexesBeforeMarker(observed);
		assertThat(broadcast).as("the burst goes through").startsWith(range(40).toArray(Integer[]::new));
		assertThat(broadcast).as("in order, each once").isSorted().doesNotHaveDuplicates();
		assertThat(broadcast.size()).as("frames broadcast out of 200").isLessThan(200)
			.isLessThanOrEqualTo(41 + (int) Math.ceil(20 * seconds));

		List<JsonNode> flooderEvents = new ArrayList<>();
		JsonNode event;
		do {
			event = flooder.next();
			flooderEvents.add(event);
		}
		while (!event.path("text").asString().equals("marker"));
		long errors = flooderEvents.stream()
			.filter((e) -> e.path("type").asString().equals("error"))
			.peek((e) -> assertThat(e.path("code").asString()).isEqualTo("rate-limited"))
			.count();
		assertThat(errors).as("rate-limited errors for a flood of 200 in %.2f s", seconds)
			.isBetween(1L, 2L + (long) Math.ceil(seconds));
		assertThat(floodIndexesBeforeMarker(flooderEvents)).as("the flooder sees the same broadcasts")
			.isEqualTo(broadcast);
		assertThat(flooder.isClosed()).isFalse();
	}

	@Test
	void theOriginalTextGrammar() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		alice.nextOfType("presence");
		alice.send("who\r\n");
		assertThat(alice.next("users").path("users").size()).isEqualTo(2);
		alice.send("to|bob|a|b|c\r\n");
		assertThat(bob.next("private").path("text").asString()).isEqualTo("a|b|c");
		assertThat(alice.next("private").path("text").asString()).isEqualTo("a|b|c");
		alice.send("rename|alicia\n");
		assertThat(alice.next("renamed").path("name").asString()).isEqualTo("alicia");
		assertThat(bob.next("presence").path("name").asString()).isEqualTo("alicia");
		alice.next("presence");
		alice.send("hello | world\r\n\r\n");
		JsonNode chat = bob.next("chat");
		assertThat(chat.path("from").asString()).isEqualTo("alicia");
		assertThat(chat.path("text").asString()).isEqualTo("hello | world");
		alice.send("Who");
		assertThat(bob.next("chat").path("text").asString()).isEqualTo("Who");
		alice.send("你好");
		assertThat(bob.next("chat").path("text").asString()).isEqualTo("你好");
	}

	@Test
	void aClientThatClosesLeavesWithReasonQuit() {
		ChatClient alice = this.room.join("alice");
		ChatClient bob = this.room.join("bob");
		alice.nextOfType("presence");
		bob.close();
		JsonNode leave = alice.next("presence");
		assertThat(leave.path("event").asString()).isEqualTo("leave");
		assertThat(leave.path("name").asString()).isEqualTo("bob");
		assertThat(leave.path("reason").asString()).isEqualTo("quit");
		assertThat(leave.path("online").asInt()).isEqualTo(1);
		assertTimestamp(leave);
		alice.send("who");
		assertThat(alice.next("users").path("users").size()).isEqualTo(1);
		ChatClient newBob = this.room.join("bob");
		assertThat(alice.next("presence").path("name").asString()).as("the name is free again").isEqualTo("bob");
		assertThat(newBob.isClosed()).isFalse();
	}

	private static void assertError(ChatClient client, String code) {
		JsonNode error = client.next("error");
		assertThat(error.path("code").asString()).isEqualTo(code);
	}

	private static void assertTimestamp(JsonNode event) {
		assertThat(event.path("ts").isIntegralNumber()).as("ts of %s is a number", event).isTrue();
		// Epoch milliseconds, not seconds.
		assertThat(event.path("ts").asLong()).as("ts of %s", event).isGreaterThan(1_700_000_000_000L);
	}

	private static List<Integer> floodIndexesBeforeMarker(List<JsonNode> events) {
		List<Integer> indexes = new ArrayList<>();
		for (JsonNode event : events) {
			String text = event.path("text").asString();
			if (text.equals("marker")) {
				break;
			}
			if (event.path("type").asString().equals("chat") && text.startsWith("flood-")) {
				indexes.add(Integer.parseInt(text.substring("flood-".length())));
			}
		}
		return indexes;
	}

	private static List<Integer> range(int count) {
		List<Integer> values = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			values.add(i);
		}
		return values;
	}

}
