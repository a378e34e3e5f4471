package io.imsystem.idle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.imsystem.protocol.LeaveReason;
import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Room;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Idle eviction end to end, with a 1 s timeout swept every 100 ms: real clients are warned, get
 * the kick message, and only then the 4408 close, never before their timeout.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.timeout=1s", "chat.idle.warning-before=500ms", "chat.idle.sweep-interval=100ms",
				"chat.admin.password=test-secret" })
class IdleKickIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	private static final Duration WARNING = Duration.ofMillis(500);

	@LocalServerPort
	private int port;

	@Autowired
	private KickHistory kickHistory;

	@Autowired
	private IdlePolicy idlePolicy;

	@RegisterExtension
	final Room room = new Room();

	@AfterEach
	void restore() {
		this.idlePolicy.update(TIMEOUT, WARNING);
	}

	@Test
	void aSilentClientIsWarnedThenGetsTheKickMessageBeforeThe4408Close() {
		ChatClient sleepy = this.room.connect("sleepy");
		JsonNode welcome = sleepy.next("welcome");
		assertThat(welcome.path("timeoutSeconds").asLong()).isEqualTo(1);
		long connectedAt = welcome.path("ts").asLong();
		sleepy.next("presence");

		JsonNode warning = sleepy.next("idle-warning");
		assertThat(warning.path("secondsLeft").asLong()).isEqualTo(1);
		assertThat(warning.path("ts").asLong()).as("warned when 500 ms are left, not before")
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

		KickRecord record = kickRecord("sleepy");
		assertThat(record.reason()).isEqualTo(LeaveReason.IDLE);
		assertThat(record.remoteAddress()).startsWith("127.0.0.1:");
		assertThat(record.idleSeconds()).isGreaterThanOrEqualTo(1);
		assertThat(record.connectedAt().toEpochMilli()).isEqualTo(connectedAt);
		assertThat(record.lastActivityAt().toEpochMilli()).isEqualTo(connectedAt);
		assertThat(record.kickedAt().toEpochMilli()).isEqualTo(kicked.path("ts").asLong());
		assertThat(record.message()).isEqualTo("你被踢了");
		assertThat(record.kickedBy()).isNull();
	}

	@Test
	void aClientThatKeepsChattingStaysWhileTheSilentOneIsKickedAndEveryoneSeesWhy() {
		ChatClient silent = this.room.join("silent");
		ChatClient chatter = this.room.join("chatter");
		List<Long> chatterActivity = new ArrayList<>();
		// Chats every 200 ms, well inside the 1 s timeout, until the silent one is gone.
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
		assertThat(kickRecord("silent").reason()).isEqualTo(LeaveReason.IDLE);
		assertThat(this.kickHistory.all()).extracting(KickRecord::name).doesNotContain("chatter");
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
		assertThat(kickRecord("talker").lastActivityAt().toEpochMilli()).isEqualTo(lastActivity);
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
		assertThat(kickRecord("pinger").lastActivityAt().toEpochMilli()).isEqualTo(connectedAt);
	}

	@Test
	void aRuntimeChangeOfTheTimeoutAppliesToLiveSessions() {
		this.idlePolicy.update(Duration.ofMillis(2500), Duration.ofSeconds(2));
		ChatClient live = this.room.connect("live");
		long connectedAt = live.next("welcome").path("ts").asLong();
		live.next("presence");
		live.next("idle-warning");
		// Longer: the session outlives its old 2.5 s deadline.
		this.idlePolicy.update(Duration.ofSeconds(60), Duration.ZERO);
		live.assertNoEvent(Duration.ofMillis(2500));
		assertThat(live.isClosed()).isFalse();
		// Shorter: it has been idle for more than 1 s, so the next sweep kicks it.
		this.idlePolicy.update(TIMEOUT, WARNING);
		JsonNode kicked = live.next("kicked");
		assertThat(kicked.path("ts").asLong()).isGreaterThanOrEqualTo(connectedAt + 2500);
		assertThat(live.awaitClose().code()).isEqualTo(4408);
	}

	@Test
	void aSessionsOwnTimeoutBeatsTheGlobalOneUntilItIsRemoved() {
		this.idlePolicy.update(Duration.ofSeconds(60), Duration.ZERO);
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

		// Longer than the global timeout: a newcomer is kicked after 1 s, the patient one is not.
		assertThat(admin().overrideTimeout("patient", 60)).isEqualTo(200);
		this.idlePolicy.update(TIMEOUT, WARNING);
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

	private KickRecord kickRecord(String name) {
		await().atMost(10, TimeUnit.SECONDS)
			.until(() -> this.kickHistory.all().stream().anyMatch((record) -> record.name().equals(name)));
		return this.kickHistory.all().stream().filter((record) -> record.name().equals(name)).findFirst().orElseThrow();
	}

}
