package io.imsystem.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;
import io.imsystem.support.PackagedApp;
import io.imsystem.support.Prometheus;
import io.imsystem.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Memory stays bounded while 50 clients chat through a 30 s Redis outage, seen as an operator sees
 * it: the node runs as its own process (the packaged jar) with a small heap, and everything is
 * read from its WebSocket clients and {@code /actuator/prometheus}.
 * <p>
 * What bounds memory is that nothing is buffered for Redis while it is away: the broker publishes
 * without waiting and counts a failure as dropped, and the Lettuce settings are checked to be set
 * ({@link ClusterConfiguration#clientOptions}, applied to Spring Boot's connection by a
 * {@code LettuceClientOptionsBuilderCustomizer}): {@code disconnectedBehavior(REJECT_COMMANDS)}
 * instead of Lettuce's default of queueing without bound while disconnected,
 * {@code requestQueueSize} {@link ClusterConfiguration#REQUEST_QUEUE_SIZE} while connected, and a
 * command timeout of {@link ClusterConfiguration#COMMAND_TIMEOUT}. The test proves the effect:
 * every chat of the outage is counted as dropped, and none reaches the other node once Redis is
 * back. It does not tell which setting gives it: with {@code ACCEPT_COMMANDS} it passes too,
 * since the command timeout cancels each queued publish within a second (tried; see
 * docs/cluster-design.md).
 */
class ClusterOutageMemoryIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(ClusterOutageMemoryIntegrationTests.class);

	private static final String PREFIX = TestRedis.prefix(ClusterOutageMemoryIntegrationTests.class);

	private static final int CLIENTS = 50;

	/** Each client sends one chat a second: far below the rate limit (20 a second). */
	private static final long TICK_MILLIS = 100;

	private static final int SENDERS_PER_TICK = CLIENTS / 10;

	/** 300 ticks of 100 ms: the outage lasts 30 s of chatting. */
	private static final int OUTAGE_TICKS = 300;

	private static final String PADDING = "x".repeat(200);

	private final Set<String> sent = ConcurrentHashMap.newKeySet();

	private volatile String phase = "before";

	@Test
	void fiftyClientsChatThroughA30SecondOutageOnASmallHeapAndNothingIsReplayedLate(@TempDir Path logs)
			throws Exception {
		requireRedisServer();
		List<ChatClient> clients = new ArrayList<>();
		ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
		Process node = null;
		try (RedisServer redis = RedisServer.start();
				TestNode b = TestNode.start("node-b", redis.port(), PREFIX)) {
			node = PackagedApp.start(logs.resolve("node-a.log"), List.of("-Xmx96m"), "--server.port=0",
					"--chat.tcp.enabled=false", "--chat.admin.password=x", "--chat.cluster.mode=redis",
					"--chat.cluster.node-id=node-a", "--chat.cluster.key-prefix=" + PREFIX,
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
					// Every client of the test comes from 127.0.0.1: room for the 50 and one more.
					"--chat.limits.connections-per-address=" + (CLIENTS + 10));
			int a = PackagedApp.awaitPort(logs.resolve("node-a.log"));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> Prometheus.value(a, "chat_cluster_link_up") == 1
						&& Http.anonymous(a).get("/actuator/health/readiness").status() == 200);
			for (int i = 0; i < CLIENTS; i++) {
				clients.add(ChatClient.join(a, "c%02d".formatted(i)));
			}
			ChatClient listener = clients.get(0);
			ChatClient bob = ChatClient.join(b.port(), "bob");
			clients.add(bob);
			Set<String> heardHere = ConcurrentHashMap.newKeySet();
			Set<String> heardThere = ConcurrentHashMap.newKeySet();
			List<ChatClient> others = List.copyOf(clients.subList(1, CLIENTS));
			Runnable drain = () -> {
				heardHere.addAll(chatTexts(listener.drain()));
				heardThere.addAll(chatTexts(bob.drain()));
				// Everyone else's copies are read and let go: the test's own memory stays small.
				others.forEach(ChatClient::drain);
			};

			CountDownLatch outageOver = new CountDownLatch(OUTAGE_TICKS);
			long[] tick = { 0 };
			sender.scheduleAtFixedRate(() -> {
				// Under the lock the phase changes with: a chat labelled with a phase is sent in it.
				synchronized (this.sent) {
					long round = tick[0]++;
					for (int i = 0; i < SENDERS_PER_TICK; i++) {
						int who = (int) ((round * SENDERS_PER_TICK + i) % CLIENTS);
						String text = this.phase + " " + who + " " + round + " " + PADDING;
						if (clients.get(who).trySend(text)) {
							this.sent.add(text);
						}
					}
					if (this.phase.equals("outage")) {
						outageOver.countDown();
					}
				}
			}, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);

			// Cross-node chat works before the outage.
			await().atMost(Duration.ofSeconds(15)).until(() -> {
				drain.run();
				return heardThere.stream().anyMatch((text) -> text.startsWith("before "));
			});
			double heapMax = Prometheus.heapMax(a);
			assertThat(heapMax).as("-Xmx96m").isLessThanOrEqualTo(96 * 1024 * 1024);

			redis.stop();
			double droppedBefore = dropped(a);
			phase("outage");
			List<Double> heapDuringOutage = new ArrayList<>();
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
				drain.run();
				heapDuringOutage.add(Prometheus.heapUsed(a));
				assertThat(Http.anonymous(a).get("/actuator/health/liveness").status()).isEqualTo(200);
				return outageOver.getCount() == 0;
			});
			// Still away: these are outage chats too, but not waited for.
			phase("quiet");
			Set<String> outage = Set.copyOf(this.sent.stream().filter((text) -> text.startsWith("outage ")).toList());
			assertThat(outage).hasSizeGreaterThanOrEqualTo(OUTAGE_TICKS * SENDERS_PER_TICK * 9 / 10);
			// Local chat flowed the whole time: every chat of the outage reached this node's users.
			await().atMost(Duration.ofSeconds(15)).until(() -> {
				drain.run();
				return heardHere.containsAll(outage);
			});
			// Dropped, not buffered: each outage chat was one publish that failed (the probes and
			// presence add to the count, never take from it).
			assertThat(dropped(a) - droppedBefore).isGreaterThanOrEqualTo(outage.size());
			assertThat(node.isAlive()).isTrue();

			phase("after");
			redis.startAgain();
			// Cross-node chat resumes within the contract's 5 s, without a restart.
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				drain.run();
				return heardThere.stream().anyMatch((text) -> text.startsWith("after "));
			});
			// A replay would have come before the chats sent after Redis came back: none did.
			assertThat(heardThere).noneMatch(ClusterOutageMemoryIntegrationTests::sentWhileAway);

			// Heap used after a collection: the lowest of a few readings while chat goes on, each
			// taken where a young collection may just have run. It stays far from the 96 MB limit
			// whatever the outage did; buffered publishes would have kept growing it.
			List<Double> heapAfter = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
				drain.run();
				heapAfter.add(Prometheus.heapUsed(a));
				return heapAfter.size() >= 20;
			});
			double floorDuring = heapDuringOutage.subList(heapDuringOutage.size() / 2, heapDuringOutage.size())
				.stream()
				.mapToDouble(Double::doubleValue)
				.min()
				.orElseThrow();
			assertThat(floorDuring).as("heap used after GC late in the outage").isLessThan(heapMax * 0.75);
			double floorAfter = heapAfter.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
			logger.info("Heap after GC of {} bytes at most: {} late in the outage, {} after it; {} outage chats dropped",
					heapMax, floorDuring, floorAfter, outage.size());
			assertThat(floorAfter).as("heap used after GC after the outage").isLessThan(heapMax * 0.75);
			// Still serving: a new user is admitted.
			ChatClient late = ChatClient.join(a, "late");
			clients.add(late);
			assertThat(heardThere).noneMatch(ClusterOutageMemoryIntegrationTests::sentWhileAway);
		}
		finally {
			sender.shutdownNow();
			clients.forEach(ChatClient::closeQuietly);
			if (node != null) {
				node.destroyForcibly();
				node.waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	private void phase(String next) {
		synchronized (this.sent) {
			this.phase = next;
		}
	}

	private static boolean sentWhileAway(String text) {
		return text.startsWith("outage ") || text.startsWith("quiet ");
	}

	private static double dropped(int port) {
		return Prometheus.value(port, "chat_cluster_events_total", "direction=\"dropped\"");
	}

	private static List<String> chatTexts(List<JsonNode> events) {
		return events.stream()
			.filter((event) -> event.path("type").asString().equals("chat"))
			.map((event) -> event.path("text").asString())
			.toList();
	}

	private static void requireRedisServer() {
		if (!RedisServer.available()) {
			if (System.getenv("CI") != null) {
				throw new IllegalStateException("redis-server is not installed");
			}
			Assumptions.abort("redis-server is not installed and CI is unset");
		}
	}

}
