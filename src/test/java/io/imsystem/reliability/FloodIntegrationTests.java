package io.imsystem.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.support.ChatClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client sending 1,000 frames a second for two seconds, with the default limits (20 a second,
 * burst 40): it gets a few {@code rate-limited} errors, never one per dropped frame; only its
 * burst and the sustained rate reach the room; and another client's round trips go on meanwhile.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=100ms", "chat.admin.password=reliability",
				"chat.limits.handshakes-per-second=100000", "chat.limits.handshake-burst=100000",
				"chat.limits.burst=" + FloodIntegrationTests.BURST,
				"chat.limits.messages-per-second=" + FloodIntegrationTests.PER_SECOND })
class FloodIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(FloodIntegrationTests.class);

	/** Two seconds at 1,000 frames a second: ten frames every ten milliseconds. */
	private static final int FLOOD_FRAMES = 2_000;

	private static final int FRAMES_PER_TICK = 10;

	private static final long TICK_MILLIS = 10;

	private static final Duration BOUND = Duration.ofSeconds(30);

	/** The default limits, set here so that the test knows them without asking the server. */
	static final int BURST = 40;

	static final int PER_SECOND = 20;

	@LocalServerPort
	int port;

	@Test
	void aFlooderIsThrottledAndTheOthersKeepChatting() throws Exception {
		ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
		try (ChatClient observer = ChatClient.join(this.port, "floodwatch");
				ChatClient steady = ChatClient.join(this.port, "steady");
				ChatClient flooder = ChatClient.join(this.port, "flooder")) {
			AtomicInteger sent = new AtomicInteger();
			CountDownLatch floodSent = new CountDownLatch(1);
			long start = System.nanoTime();
			ScheduledFuture<?> flood = pacer.scheduleAtFixedRate(() -> {
				for (int i = 0; i < FRAMES_PER_TICK && sent.get() < FLOOD_FRAMES; i++) {
					flooder.send("flood-" + sent.getAndIncrement());
				}
				if (sent.get() >= FLOOD_FRAMES) {
					floodSent.countDown();
				}
			}, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);

			// Round trips of another client while the flood runs: one every 100 ms, well under its
			// own rate limit. Each must come back (next() fails after ChatClient.TIMEOUT).
			List<Long> roundTripMicros = new ArrayList<>();
			while (!floodSent.await(100, TimeUnit.MILLISECONDS)) {
				assertThat(System.nanoTime() - start).as("flood still running").isLessThan(BOUND.toNanos());
				String text = "steady-" + roundTripMicros.size();
				long sentAt = System.nanoTime();
				steady.send(text);
				steady.nextMatching((event) -> isChat(event, "steady", text), BOUND);
				roundTripMicros.add((System.nanoTime() - sentAt) / 1_000);
			}
			flood.cancel(false);
			long floodMillis = (System.nanoTime() - start) / 1_000_000;

			// Then a marker, every 250 ms until one gets through: everything the flooder sent
			// before it has been handled by then.
			AtomicBoolean markerThrough = new AtomicBoolean();
			ScheduledFuture<?> markers = pacer.scheduleAtFixedRate(() -> {
				if (!markerThrough.get()) {
					flooder.send("marker");
				}
			}, 0, 250, TimeUnit.MILLISECONDS);
			int rateLimited = 0;
			List<String> floodEchoes = new ArrayList<>();
			long deadline = System.nanoTime() + BOUND.toNanos();
			while (true) {
				assertThat(System.nanoTime()).as("marker came back in time").isLessThan(deadline);
				JsonNode event = flooder.next();
				if (isChat(event, "flooder", "marker")) {
					break;
				}
				if (event.path("type").asString().equals("error")) {
					assertThat(event.path("code").asString()).isEqualTo("rate-limited");
					rateLimited++;
				}
				else if (isFrom(event, "flooder")) {
					floodEchoes.add(event.path("text").asString());
				}
			}
			markerThrough.set(true);
			markers.cancel(false);
			double windowSeconds = (System.nanoTime() - start) / 1e9;

			int dropped = FLOOD_FRAMES - floodEchoes.size();
			logger.info(
					"Flood: {} frames in {} ms, {} broadcast, {} dropped, {} rate-limited errors in {} s; "
							+ "{} round trips of another client meanwhile, median {} us, max {} us",
					FLOOD_FRAMES, floodMillis, floodEchoes.size(), dropped, rateLimited,
					"%.1f".formatted(windowSeconds), roundTripMicros.size(), median(roundTripMicros),
					roundTripMicros.stream().mapToLong(Long::longValue).max().orElse(0));

			// The burst goes through whole and in order, then only the sustained rate.
			assertThat(floodEchoes.subList(0, BURST))
				.containsExactlyElementsOf(IntStream.range(0, BURST).mapToObj((i) -> "flood-" + i).toList());
			assertThat(floodEchoes.size()).as("frames broadcast")
				.isLessThanOrEqualTo(BURST + (int) Math.ceil(PER_SECOND * windowSeconds));
			// The first drop is reported, then at most one error a second: never one per drop.
			assertThat(rateLimited).isGreaterThanOrEqualTo(1)
				.isLessThanOrEqualTo(1 + (int) Math.ceil(windowSeconds));
			assertThat(dropped).as("dropped frames, an order of magnitude more than errors").isGreaterThan(10 * rateLimited);

			assertThat(roundTripMicros).as("round trips of another client during the flood").isNotEmpty();
			List<String> seenByObserver = new ArrayList<>();
			int steadySeen = 0;
			while (true) {
				JsonNode event = observer.nextMatching((e) -> e.path("type").asString().equals("chat"), BOUND);
				if (isChat(event, "flooder", "marker")) {
					break;
				}
				if (isFrom(event, "flooder")) {
					seenByObserver.add(event.path("text").asString());
				}
				else if (isFrom(event, "steady")) {
					steadySeen++;
				}
			}
			assertThat(seenByObserver).as("the room got what the flooder got back, no more")
				.containsExactlyElementsOf(floodEchoes);
			assertThat(steadySeen).as("every round trip reached the room").isEqualTo(roundTripMicros.size());
		}
		finally {
			pacer.shutdownNow();
		}
	}

	private static boolean isChat(JsonNode event, String from, String text) {
		return isFrom(event, from) && event.path("text").asString().equals(text);
	}

	private static boolean isFrom(JsonNode event, String from) {
		return event.path("type").asString().equals("chat") && event.path("from").asString().equals(from);
	}

	private static long median(List<Long> values) {
		if (values.isEmpty()) {
			return 0;
		}
		List<Long> sorted = values.stream().sorted().toList();
		return sorted.get(sorted.size() / 2);
	}

}
