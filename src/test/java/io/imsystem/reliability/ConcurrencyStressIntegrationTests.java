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

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many threads hitting the same few sessions at once with real clients: broadcasts, private
 * messages, renames racing for the same names, {@code who}, admin kicks, idle kicks from short
 * per-session timeouts (both through the admin API; four clients never send, so that their
 * one-second timeouts run out while the rest race), and clients leaving and coming back. The
 * sequence of operations comes from a fixed seed; the interleaving is whatever the machine makes
 * of it. When it is over, the room must add up, as the admin API and the clients see it: every
 * connected client is online under the name it was told, nobody else is, every name of a gone
 * session is free again, every one of them is still watched for idleness (a short timeout kicks
 * each, and nobody else), and the server logged no error.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=50ms", "chat.admin.password=" + ConcurrencyStressIntegrationTests.PASSWORD,
				"chat.limits.messages-per-second=100000", "chat.limits.burst=100000",
				"chat.limits.connections-per-address=500", "chat.limits.handshakes-per-second=100000",
				"chat.limits.handshake-burst=100000" })
@ExtendWith(OutputCaptureExtension.class)
class ConcurrencyStressIntegrationTests {

	static final String PASSWORD = "stress";

	/** The idle settings the app starts with ({@code chat.idle.timeout}, {@code chat.idle.warning-before}). */
	private static final long DEFAULT_TIMEOUT_SECONDS = 300;

	private static final long DEFAULT_WARNING_SECONDS = 30;

	private static final Logger logger = LoggerFactory.getLogger(ConcurrencyStressIntegrationTests.class);

	private static final long SEED = 0x1A5E_2025L;

	private static final int SLOTS = 16;

	/**
	 * The last slots send nothing: administrators kick them and give them the shortest timeout of
	 * their own (one second, as the admin API allows), so they are idle-kicked while the others race.
	 */
	private static final int QUIET_SLOTS = 4;

	private static final int WORKERS = 6;

	private static final int OPERATIONS = 6_000;

	/** The operations stop here even if not all are done: a slow machine does fewer, never waits longer. */
	private static final Duration TIME_LIMIT = Duration.ofSeconds(20);

	/** Few names, so that renames and joins race for the same ones. */
	private static final List<String> NAMES = List.of("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal");

	@LocalServerPort
	int port;

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
				Slot slot = new Slot(i >= SLOTS - QUIET_SLOTS);
				connect(slot, (i < NAMES.size()) ? NAMES.get(i) : null);
				slots.add(slot);
			}
			stressThenCheck(slots, output);
		}
		finally {
			slots.forEach((slot) -> slot.client.closeQuietly());
		}
	}

	private void stressThenCheck(List<Slot> slots, CapturedOutput output) throws Exception {
		Http admin = Http.basic(this.port, "admin", PASSWORD);
		AtomicInteger remaining = new AtomicInteger(OPERATIONS);
		long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
		ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int w = 0; w < WORKERS; w++) {
				Random random = new Random(SEED + w);
				running.add(workers.submit(() -> {
					while (remaining.getAndDecrement() > 0 && System.nanoTime() < deadline) {
						Slot slot = slots.get(random.nextInt(SLOTS));
						if (slot.quiet) {
							leaveAlone(random, slot, admin);
						}
						else {
							operate(random, slot, admin);
						}
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
		AdminApi api = AdminApi.of(this.port, PASSWORD);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			List<JsonNode> overridden = api.users().stream().filter((user) -> user.path("override").asBoolean()).toList();
			overridden.forEach((user) -> api.removeTimeout(user.path("name").asString()));
			assertThat(overridden).as("users with a timeout of their own").isEmpty();
		});
		await().during(Duration.ofMillis(500))
			.atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(api.onlineNames()).as("users online; clients open: %d", openSlots(slots).size())
				.hasSize(openSlots(slots).size()));
		// The clients the server closed since an operation last looked at their slot.
		for (Slot slot : slots) {
			if (slot.client.isClosed()) {
				collectKick(slot.client);
			}
		}

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

		assertThat(api.onlineNames()).as("users online = connected clients").containsExactlyInAnyOrderElementsOf(finals);
		for (Slot slot : openSlots(slots)) {
			slot.client.send("who");
			JsonNode users = slot.client.nextMatching((event) -> event.path("type").asString().equals("users"));
			assertThat(users.path("users").findValuesAsString("name")).as("who")
				.containsExactlyInAnyOrderElementsOf(finals);
		}
		List<String> online = api.onlineNames();
		for (String name : this.everNamed) {
			if (!finals.contains(name)) {
				assertThat(online).as("users online, one still holding %s", name).doesNotContain(name);
			}
		}
		try (ChatClient claimer = ChatClient.join(this.port, "claimer")) {
			for (String name : NAMES) {
				claimer.send("rename|" + name);
				JsonNode answer = claimer.nextOfType("renamed");
				assertThat(answer.path("name").asString()).as("%s can be taken again", name).isEqualTo(name);
			}
		}

		everyoneLeftIsWatchedForIdleness(api, slots, finals);

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

	/**
	 * A session the idle sweeper lost would never be kicked: with a one-second global timeout each
	 * connected client is kicked for idleness, and the kick history gains exactly their kicks.
	 */
	private void everyoneLeftIsWatchedForIdleness(AdminApi api, List<Slot> slots, Set<String> finals) {
		long changedAt = System.currentTimeMillis();
		api.changeTimeout(1, 0);
		try {
			for (Slot slot : openSlots(slots)) {
				JsonNode kicked = slot.client.nextMatching((event) -> event.path("type").asString().equals("kicked"));
				assertThat(kicked.path("reason").asString()).as("kick of a client left: %s", kicked).isEqualTo("idle");
				assertThat(slot.client.awaitClose().code()).isEqualTo(4408);
			}
			for (String name : finals) {
				assertThat(api.awaitKick(name).path("reason").asString()).as("kick of %s", name).isEqualTo("idle");
			}
			assertThat(api.kicks())
				.filteredOn((kick) -> AdminApi.epochMillis(kick.path("kickedAt")) >= changedAt)
				.extracting((kick) -> kick.path("name").asString())
				.as("kicks after the timeout was shortened")
				.containsExactlyInAnyOrderElementsOf(finals);
		}
		finally {
			api.changeTimeout(DEFAULT_TIMEOUT_SECONDS, DEFAULT_WARNING_SECONDS);
		}
	}

	/** An administrator's action on a quiet slot's user, or a new client once it was kicked. */
	private void leaveAlone(Random random, Slot slot, Http admin) {
		synchronized (slot) {
			if (slot.client.isClosed()) {
				collectKick(slot.client);
				connect(slot, null);
				count("quiet reconnect after kick");
				return;
			}
			// Kicked rarely enough that many stay silent for the second of their short timeout.
			int choice = random.nextInt(100);
			if (choice < 2) {
				int status = admin.post("/api/admin/users/" + slot.name + "/kick", "{\"message\":\"stress\"}").status();
				assertThat(status).as("kick of %s", slot.name).isIn(200, 404);
				count("quiet kick " + status);
			}
			else if (choice < 40) {
				int status = admin.put("/api/admin/users/" + slot.name + "/timeout", "{\"timeoutSeconds\":1}").status();
				assertThat(status).as("timeout of %s", slot.name).isIn(200, 404);
				count("quiet idle override " + status);
			}
		}
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
		else if (choice < 76) {
			int status = admin.post("/api/admin/users/" + name + "/kick", "{\"message\":\"stress\"}").status();
			assertThat(status).as("kick of %s", name).isIn(200, 404);
			count("kick " + status);
		}
		else if (choice < 84) {
			// The shortest timeout an administrator can give: only a session left alone that long goes.
			int status = admin.put("/api/admin/users/" + name + "/timeout", "{\"timeoutSeconds\":1}").status();
			assertThat(status).as("timeout of %s", name).isIn(200, 404);
			count("idle override " + status);
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
				connect(slot, random.nextBoolean() ? name : null);
				count("reconnect");
			}
		}
	}

	/** Sends from a slot's client, first replacing it if the server has closed it (a kick). */
	private void send(Slot slot, String frame, String operation) {
		synchronized (slot) {
			if (slot.client.isClosed()) {
				collectKick(slot.client);
				connect(slot, null);
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

	/** A new client in the slot, asking for {@code name} unless it is null. */
	private void connect(Slot slot, String name) {
		ChatClient client = ChatClient.connect(this.port, name);
		slot.name = client.next("welcome").path("name").asString();
		this.everNamed.add(slot.name);
		slot.client = client;
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

		final boolean quiet;

		ChatClient client;

		/** The name its client was welcomed with: a quiet slot's client never renames. */
		String name;

		Slot(boolean quiet) {
			this.quiet = quiet;
		}

	}

}
