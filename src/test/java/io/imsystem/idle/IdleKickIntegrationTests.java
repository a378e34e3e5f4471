package io.imsystem.idle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Idle eviction end to end, with a 2 s timeout swept every 100 ms: real clients are warned, get
 * the kick message, and only then the 4408 close, never before their timeout. Whole seconds, so
 * that the administrator's API, which takes seconds, can set them again after a test changed them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.timeout=2s", "chat.idle.warning-before=1s", "chat.idle.sweep-interval=100ms",
				"chat.admin.password=test-secret" })
class IdleKickIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final Duration WARNING = Duration.ofSeconds(1);

	@LocalServerPort
	private int port;

	@RegisterExtension
	final Room room = new Room();

	@AfterEach
	void restore() {
		admin().restoreTimeout(TIMEOUT.toSeconds(), WARNING.toSeconds());
	}

	@Test
	void aSilentClientIsWarnedThenGetsTheKickMessageBeforeThe4408Close() {
		ChatClient sleepy = this.room.connect("sleepy");
		JsonNode welcome = sleepy.next("welcome");
		assertThat(welcome.path("timeoutSeconds").asLong()).isEqualTo(TIMEOUT.toSeconds());
		long connectedAt = welcome.path("ts").asLong();
		sleepy.next("presence");

		JsonNode warning = sleepy.next("idle-warning");
		assertThat(warning.path("secondsLeft").asLong()).isEqualTo(1);
		assertThat(warning.path("ts").asLong()).as("warned when 1 s is left, not before")
			.isGreaterThanOrEqualTo(connectedAt + TIMEOUT.toMillis() - WARNING.toMillis());

		JsonNode kicked = sleepy.next("kicked");
		assertThat(kicked.path("reason").asString()).isEqualTo("idle");
		assertThat(kicked.path("message").asString()).isEqualTo("你被踢了");
		assertThat(kicked.path("ts").asLong()).as("never kicked before the timeout")
			.isGreaterThanOrEqualTo(connectedAt + TIMEOUT.toMillis());

		ChatClient.Close close = sleepy.awaitClose();
		assertThat(close.code()).isEqualTo(4408);
		assertThat(close.reason()).isEqualTo("idle timeout");
		// Welcome, join, warning and kicked all arrived before the close.
		assertThat(sleepy.receivedBeforeClose()).as("events received before the close").isEqualTo(4);

		JsonNode record = admin().awaitKick("sleepy");
		assertThat(record.path("reason").asString()).isEqualTo("idle");
		assertThat(record.path("remoteAddress").asString()).startsWith("127.0.0.1:");
		assertThat(record.path("idleSeconds").asLong()).isGreaterThanOrEqualTo(TIMEOUT.toSeconds());
		assertThat(AdminApi.epochMillis(record.path("connectedAt"))).isEqualTo(connectedAt);
		assertThat(AdminApi.epochMillis(record.path("lastActivityAt"))).isEqualTo(connectedAt);
		assertThat(AdminApi.epochMillis(record.path("kickedAt"))).isEqualTo(kicked.path("ts").asLong());
		assertThat(record.path("message").asString()).isEqualTo("你被踢了");
		assertThat(record.path("kickedBy").isNull()).as("kicked by the server, not an administrator: %s", record).isTrue();
	}

	@Test
	void aClientThatKeepsChattingStaysWhileTheSilentOneIsKickedAndEveryoneSeesWhy() {
		ChatClient silent = this.room.join("silent");
		ChatClient chatter = this.room.join("chatter");
		List<Long> chatterActivity = new ArrayList<>();
		// Chats every 200 ms, well inside the 2 s timeout, until the silent one is gone.
		await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10)).until(() -> {
			chatter.send("still here");
			return silent.isClosed();
		});
		assertThat(chatter.isClosed()).isFalse();

		List<JsonNode> silentEvents = silent.drain();
		JsonNode kicked = silentEvents.stream()
			.filter((event) -> event.path("type").asString().equals("kicked"))
			.findFirst()
			.orElseThrow();
		assertThat(kicked.path("reason").asString()).isEqualTo("idle");
		assertThat(silent.awaitClose().code()).isEqualTo(4408);
		// Receiving the chatter's messages is not activity of its own.
		assertThat(silentEvents).anyMatch((event) -> event.path("type").asString().equals("chat"));

		JsonNode leave = null;
		while (leave == null) {
			JsonNode event = chatter.next();
			String type = event.path("type").asString();
			assertThat(type).as("the chatter is not kicked").isNotIn("kicked", "idle-warning");
			if (type.equals("chat")) {
				chatterActivity.add(event.path("ts").asLong());
			}
			if (type.equals("presence") && event.path("event").asString().equals("leave")) {
				leave = event;
			}
		}
		assertThat(leave.path("name").asString()).isEqualTo("silent");
		assertThat(leave.path("reason").asString()).isEqualTo("idle");
		assertThat(leave.path("online").asInt()).isEqualTo(1);
		assertThat(chatterActivity).isNotEmpty();
		assertThat(admin().awaitKick("silent").path("reason").asString()).isEqualTo("idle");
		assertThat(admin().kicks()).extracting((kick) -> kick.path("name").asString()).doesNotContain("chatter");
	}

	@Test
	void theKickComesNoEarlierThanTheTimeoutAfterTheLastMessage() {
		ChatClient talker = this.room.join("talker");
		talker.send("one");
		talker.next("chat");
		talker.send("two");
		long lastActivity = talker.next("chat").path("ts").asLong();
		JsonNode kicked = talker.nextOfType("kicked");
		assertThat(kicked.path("ts").asLong()).isGreaterThanOrEqualTo(lastActivity + TIMEOUT.toMillis());
		assertThat(talker.awaitClose().code()).isEqualTo(4408);
		assertThat(AdminApi.epochMillis(admin().awaitKick("talker").path("lastActivityAt"))).isEqualTo(lastActivity);
	}

	@Test
	void pingsDoNotCountAsActivity() {
		ChatClient pinger = this.room.connect("pinger");
		long connectedAt = pinger.next("welcome").path("ts").asLong();
		pinger.next("presence");
		await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10))
			.until(() -> !pinger.trySend("{\"type\":\"ping\"}") || pinger.isClosed());
		List<JsonNode> events = pinger.drain();
		assertThat(events).anyMatch((event) -> event.path("type").asString().equals("pong"));
		JsonNode kicked = events.stream()
			.filter((event) -> event.path("type").asString().equals("kicked"))
			.findFirst()
			.orElseThrow();
		assertThat(kicked.path("ts").asLong()).isGreaterThanOrEqualTo(connectedAt + TIMEOUT.toMillis());
		assertThat(pinger.awaitClose().code()).isEqualTo(4408);
		assertThat(AdminApi.epochMillis(admin().awaitKick("pinger").path("lastActivityAt"))).isEqualTo(connectedAt);
	}

	@Test
	void aRuntimeChangeOfTheTimeoutAppliesToLiveSessions() {
		admin().changeTimeout(4, 3);
		ChatClient live = this.room.connect("live");
		JsonNode welcome = live.next("welcome");
		assertThat(welcome.path("timeoutSeconds").asLong()).isEqualTo(4);
		long connectedAt = welcome.path("ts").asLong();
		live.next("presence");
		live.next("idle-warning");
		// Longer: the session outlives its old 4 s deadline.
		admin().changeTimeout(60, 0);
		live.assertNoEvent(Duration.ofSeconds(4));
		assertThat(live.isClosed()).isFalse();
		// Shorter: it has been idle for more than 2 s, so the next sweep kicks it.
		admin().changeTimeout(TIMEOUT.toSeconds(), WARNING.toSeconds());
		JsonNode kicked = live.next("kicked");
		assertThat(kicked.path("ts").asLong()).isGreaterThanOrEqualTo(connectedAt + 4000);
		assertThat(live.awaitClose().code()).isEqualTo(4408);
	}

	@Test
	void aSessionsOwnTimeoutBeatsTheGlobalOneUntilItIsRemoved() {
		admin().changeTimeout(60, 0);
		ChatClient patient = this.room.join("patient");
		ChatClient hasty = this.room.join("hasty");
		patient.nextOfType("presence");
		// Shorter than the global timeout.
		assertThat(admin().overrideTimeout("hasty", TIMEOUT.toSeconds())).isEqualTo(200);
		assertThat(hasty.nextOfType("kicked").path("reason").asString()).isEqualTo("idle");
		assertThat(hasty.awaitClose().code()).isEqualTo(4408);
		JsonNode leave = patient.next("presence");
		assertThat(leave.path("name").asString()).isEqualTo("hasty");
		assertThat(leave.path("reason").asString()).isEqualTo("idle");

		// Longer than the global timeout: a newcomer is kicked after 2 s, the patient one is not.
		assertThat(admin().overrideTimeout("patient", 60)).isEqualTo(200);
		admin().changeTimeout(TIMEOUT.toSeconds(), WARNING.toSeconds());
		ChatClient newcomer = this.room.join("newcomer");
		assertThat(newcomer.nextOfType("kicked").path("reason").asString()).isEqualTo("idle");
		assertThat(newcomer.awaitClose().code()).isEqualTo(4408);
		JsonNode event;
		do {
			event = patient.next();
			assertThat(event.path("type").asString()).isNotIn("kicked", "idle-warning");
		}
		while (!(event.path("event").asString().equals("leave") && event.path("name").asString().equals("newcomer")));
		assertThat(patient.isClosed()).isFalse();

		// Without its own timeout it follows the global one again, and has been idle long enough.
		assertThat(admin().removeTimeout("patient")).isEqualTo(200);
		assertThat(patient.nextOfType("kicked").path("reason").asString()).isEqualTo("idle");
		assertThat(patient.awaitClose().code()).isEqualTo(4408);
	}

	private AdminApi admin() {
		return AdminApi.of(this.port, "test-secret");
	}

}
