package io.imsystem.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.chat.ChatService;
import io.imsystem.idle.IdleTracker;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.ChatSession;
import io.imsystem.chat.Roster;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many threads hitting the same few sessions at once with real clients: broadcasts, private
 * messages, renames racing for the same names, {@code who}, admin kicks (service and REST), idle
 * kicks from short per-session timeouts, and clients leaving and coming back. The sequence of
 * operations comes from a fixed seed; the interleaving is whatever the machine makes of it. When
 * it is over, the room must add up: every connected client is registered under the name it was
 * told, nobody else is, every name of a gone session is free again, and the server logged no error.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=50ms", "chat.admin.password=stress",
				"chat.limits.messages-per-second=100000", "chat.limits.burst=100000",
				"chat.limits.connections-per-address=500", "chat.limits.handshakes-per-second=100000",
				"chat.limits.handshake-burst=100000" })
@ExtendWith(OutputCaptureExtension.class)
class ConcurrencyStressIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(ConcurrencyStressIntegrationTests.class);

	private static final long SEED = 0x1A5E_2025L;

	private static final int SLOTS = 16;

	private static final int WORKERS = 6;

	private static final int OPERATIONS = 6_000;

	/** The operations stop here even if not all are done: a slow machine does fewer, never waits longer. */
	private static final Duration TIME_LIMIT = Duration.ofSeconds(20);

	/** Few names, so that renames and joins race for the same ones. */
	private static final List<String> NAMES = List.of("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal");

	@LocalServerPort
	int port;

	@Autowired
	ChatService chat;

	@Autowired
	Roster registry;

	@Autowired
	IdleTracker idleTracker;

	private final Set<String> everNamed = ConcurrentHashMap.newKeySet();

	private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

	private final List<Integer> serverCloses = Collections.synchronizedList(new ArrayList<>());

	/** Kicked clients that were not told why, or were closed with the wrong code. */
	private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());

	@Test
	void theRoomAddsUpAfterEveryoneHitTheSameSessionsAtOnce(CapturedOutput output) throws Exception {
		List<Slot> slots = new ArrayList<>();
		try {
			for (int i = 0; i < SLOTS; i++) {
				Slot slot = new Slot();
				slot.client = connect((i < NAMES.size()) ? NAMES.get(i) : null);
				slots.add(slot);
			}
			stressThenCheck(slots, output);
		}
		finally {
			slots.forEach((slot) -> slot.client.closeQuietly());
		}
	}

	private void stressThenCheck(List<Slot> slots, CapturedOutput output) throws Exception {
		Http admin = Http.basic(this.port, "admin", "stress");
		AtomicInteger remaining = new AtomicInteger(OPERATIONS);
		long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
		ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int w = 0; w < WORKERS; w++) {
				Random random = new Random(SEED + w);
				running.add(workers.submit(() -> {
					while (remaining.getAndDecrement() > 0 && System.nanoTime() < deadline) {
						operate(random, slots.get(random.nextInt(SLOTS)), admin);
					}
					return null;
				}));
			}
			for (Future<?> worker : running) {
				worker.get(TIME_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
			}
		}
		finally {
			workers.shutdownNow();
		}
		int done = OPERATIONS - Math.max(0, remaining.get());
		logger.info("Stress operations done: {} {}", done, this.counts);

		// No more idle kicks from here on; the ones already due happen in the next sweep.
		for (ChatSession session : this.registry.sessions()) {
			this.chat.overrideTimeout(session, null);
		}
		await().during(Duration.ofMillis(500))
			.atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.registry.size()).as("registered sessions %s; clients open: %d", this.registry.sessions(), openSlots(slots).size())
				.isEqualTo(openSlots(slots).size()));

		// Each client still connected takes a name of its own and hears back that it has it.
		Set<String> finals = new HashSet<>();
		for (Slot slot : openSlots(slots)) {
			// Past everything it was sent during the stress, so the next answer is to the rename.
			slot.client.send("{\"type\":\"ping\"}");
			slot.client.nextMatching((event) -> event.path("type").asString().equals("pong"));
			String name = "final-" + slots.indexOf(slot);
			slot.client.send("rename|" + name);
			JsonNode answer = slot.client.nextMatching((event) -> event.path("type").asString().equals("renamed")
					|| event.path("type").asString().equals("error"));
			assertThat(answer.path("type").asString()).as("answer to rename to %s: %s", name, answer).isEqualTo("renamed");
			finals.add(name);
		}

		assertThat(this.registry.size()).as("registered sessions = connected clients").isEqualTo(finals.size());
		assertThat(this.idleTracker.size()).as("sessions watched for idleness").isEqualTo(finals.size());
		for (String name : finals) {
			ChatSession session = this.registry.find(name);
			assertThat(session).as("session of %s", name).isNotNull();
			assertThat(session.isLive()).as("%s is live", name).isTrue();
		}
		for (Slot slot : openSlots(slots)) {
			slot.client.send("who");
			JsonNode users = slot.client.nextMatching((event) -> event.path("type").asString().equals("users"));
			assertThat(users.path("users").findValuesAsString("name")).as("who")
				.containsExactlyInAnyOrderElementsOf(finals);
		}
		for (String name : this.everNamed) {
			if (!finals.contains(name)) {
				assertThat(this.registry.find(name)).as("session still holding %s", name).isNull();
			}
		}
		try (ChatClient claimer = ChatClient.join(this.port, "claimer")) {
			for (String name : NAMES) {
				claimer.send("rename|" + name);
				JsonNode answer = claimer.nextOfType("renamed");
				assertThat(answer.path("name").asString()).as("%s can be taken again", name).isEqualTo(name);
			}
		}

		assertThat(this.anomalies).as("clients closed by the server without the right kick").isEmpty();
		assertThat(this.serverCloses).as("close codes of kicked clients").allMatch((code) -> code == 4403 || code == 4408);
		assertThat(output.getAll()).doesNotContain("TEXT_PARTIAL_WRITING")
			.doesNotContain("IllegalStateException")
			.doesNotContain(" ERROR ");
		Map<String, Integer> summary = new TreeMap<>();
		this.counts.forEach((operation, count) -> summary.put(operation, count.get()));
		logger.info("Stress: {} operations of {} by {} threads on {} slots; {}; {} names used; {} clients left; "
				+ "kicked clients closed with {}", done, OPERATIONS, WORKERS, SLOTS, summary, this.everNamed.size(),
				finals.size(), closeCodeCounts());
		assertThat(done).as("operations done before the time limit").isGreaterThan(0);
	}

	private void operate(Random random, Slot slot, Http admin) {
		int choice = random.nextInt(100);
		String name = randomName(random);
		if (choice < 24) {
			send(slot, "{\"type\":\"chat\",\"text\":\"m" + random.nextInt(1000) + "\"}", "chat");
		}
		else if (choice < 38) {
			send(slot, "to|" + name + "|psst", "private");
		}
		else if (choice < 58) {
			this.everNamed.add(name);
			send(slot, "rename|" + name, "rename");
		}
		else if (choice < 66) {
			send(slot, "who", "who");
		}
		else if (choice < 72) {
			ChatSession session = this.registry.find(name);
			// As the admin API does: only sessions that have joined.
			if (session != null && session.isLive()) {
				this.chat.kick(session, LeaveReason.ADMIN, "stress", "stress");
				count("kick (service)");
			}
		}
		else if (choice < 76) {
			int status = admin.post("/api/admin/users/" + name + "/kick", null).status();
			assertThat(status).as("REST kick of %s", name).isIn(200, 404);
			count("kick (REST) " + status);
		}
		else if (choice < 84) {
			ChatSession session = this.registry.find(name);
			if (session != null && session.isLive()) {
				this.chat.overrideTimeout(session, Duration.ofMillis(150 + random.nextInt(300)));
				count("idle override");
			}
		}
		else {
			synchronized (slot) {
				ChatClient old = slot.client;
				if (!old.isClosed()) {
					old.closeQuietly();
				}
				else {
					collectKick(old);
				}
				slot.client = connect(random.nextBoolean() ? name : null);
				count("reconnect");
			}
		}
	}

	/** Sends from a slot's client, first replacing it if the server has closed it (a kick). */
	private void send(Slot slot, String frame, String operation) {
		synchronized (slot) {
			if (slot.client.isClosed()) {
				collectKick(slot.client);
				slot.client = connect(null);
				count("reconnect after kick");
			}
			try {
				slot.client.send(frame);
			}
			catch (RuntimeException ex) {
				// Closed by a kick a moment ago; anything else is a failure, and says what the send met.
				try {
					slot.client.awaitClose();
				}
				catch (RuntimeException notClosed) {
					throw new AssertionError("send of " + frame + " failed, and the server did not close", ex);
				}
			}
			count(operation);
		}
	}

	/** A client the server closed: it must have been told why first, with the matching code. */
	private void collectKick(ChatClient client) {
		ChatClient.Close close = client.awaitClose();
		this.serverCloses.add(close.code());
		List<JsonNode> events = client.drain();
		String reason = events.stream()
			.filter((event) -> event.path("type").asString().equals("kicked"))
			.map((event) -> event.path("reason").asString())
			.findFirst()
			.orElse(null);
		String expected = switch (close.code()) {
			case 4403 -> "admin";
			case 4408 -> "idle";
			default -> null;
		};
		if (expected == null || !expected.equals(reason)) {
			this.anomalies.add(close + " after kicked reason " + reason + "; last events "
					+ events.subList(Math.max(0, events.size() - 5), events.size()));
		}
	}

	private ChatClient connect(String name) {
		ChatClient client = ChatClient.connect(this.port, name);
		this.everNamed.add(client.next("welcome").path("name").asString());
		return client;
	}

	private void count(String operation) {
		this.counts.computeIfAbsent(operation, (key) -> new AtomicInteger()).incrementAndGet();
	}

	private Map<Integer, Long> closeCodeCounts() {
		Map<Integer, Long> byCode = new TreeMap<>();
		synchronized (this.serverCloses) {
			this.serverCloses.forEach((code) -> byCode.merge(code, 1L, Long::sum));
		}
		return byCode;
	}

	private static List<Slot> openSlots(List<Slot> slots) {
		return slots.stream().filter((slot) -> !slot.client.isClosed()).toList();
	}

	/** A name from the small set, sometimes in another case: the same name to the registry. */
	private static String randomName(Random random) {
		String name = NAMES.get(random.nextInt(NAMES.size()));
		return (random.nextInt(4) == 0) ? name.toUpperCase(Locale.ROOT) : name;
	}

	private static final class Slot {

		ChatClient client;

	}

}
