package io.imsystem.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.imsystem.presence.NameDirectory.Owner;
import io.imsystem.presence.Presence;

import static org.assertj.core.api.Assertions.assertThat;

class NodeRegistryTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private final ClusterCodec codec = new ClusterCodec();

	private final List<TestRedis> clients = new ArrayList<>();

	private TestRedis redis;

	@BeforeEach
	void connect() {
		this.redis = TestRedis.shared(getClass());
		this.clients.add(this.redis);
	}

	@AfterEach
	void close() {
		for (int i = this.clients.size() - 1; i >= 0; i--) {
			this.clients.get(i).close();
		}
	}

	private NodeRegistry registry(String node) {
		TestRedis client = this.redis.another();
		this.clients.add(client);
		return new NodeRegistry(client.template, client.keys, node, TTL, this.codec);
	}

	private RedisPresence presence(String node) {
		return new RedisPresence(this.redis.template, this.redis.keys, node, this.codec);
	}

	private static Presence.Member member(String name, String node, String sessionId) {
		return new Presence.Member(name, node, sessionId, "127.0.0.1:1", null, 1000, 2000, 0, null);
	}

	@Test
	void aDeadNodeIsReapedByExactlyOneOfThreeSurvivorsWithItsMembersAndNames() throws Exception {
		NodeRegistry dead = registry("dead");
		dead.register(System.currentTimeMillis(), 2);
		RedisPresence deadPresence = presence("dead");
		RedisNameDirectory names = new RedisNameDirectory(this.redis.template, this.redis.keys);
		names.claim("alice", new Owner("dead", "s1"));
		names.claim("bob", new Owner("dead", "s2"));
		deadPresence.put(member("alice", "dead", "s1"));
		deadPresence.put(member("bob", "dead", "s2"));
		List<NodeRegistry> survivors = List.of(registry("a"), registry("b"), registry("c"));
		for (NodeRegistry survivor : survivors) {
			survivor.register(System.currentTimeMillis(), 0);
		}
		assertThat(presence("a").members(System.currentTimeMillis())).extracting(Presence.Member::name)
			.containsExactlyInAnyOrder("alice", "bob");

		// The dead node stops heartbeating; the survivors keep at it and all reap together.
		List<NodeRegistry.DeadNode> reaped = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(3);
		try {
			Awaitility.await().atMost(TTL.plusSeconds(5)).until(() -> {
				for (NodeRegistry survivor : survivors) {
					survivor.heartbeat(System.currentTimeMillis(), 0);
				}
				CountDownLatch start = new CountDownLatch(1);
				List<Future<List<NodeRegistry.DeadNode>>> results = new ArrayList<>();
				for (NodeRegistry survivor : survivors) {
					Callable<List<NodeRegistry.DeadNode>> reap = () -> {
						start.await();
						return survivor.reap(System.currentTimeMillis());
					};
					results.add(pool.submit(reap));
				}
				start.countDown();
				for (Future<List<NodeRegistry.DeadNode>> result : results) {
					reaped.addAll(result.get());
				}
				return !reaped.isEmpty();
			});
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(reaped).hasSize(1);
		assertThat(reaped.get(0).node()).isEqualTo("dead");
		assertThat(reaped.get(0).members()).extracting(Presence.Member::name).containsExactlyInAnyOrder("alice", "bob");
		assertThat(names.owner("alice")).isNull();
		assertThat(names.owner("bob")).isNull();
		assertThat(presence("a").members(System.currentTimeMillis())).isEmpty();
		assertThat(presence("a").nodes(0)).extracting(Presence.Node::node)
			.containsExactlyInAnyOrder("a", "b", "c");
		assertThat(survivors.get(1).reap(System.currentTimeMillis())).isEmpty();

		// Back from its freeze, the dead node learns it was declared dead, and may rejoin.
		assertThat(dead.heartbeat(System.currentTimeMillis(), 2)).isFalse();
		assertThat(presence("a").nodes(0)).extracting(Presence.Node::node).doesNotContain("dead");
		dead.rejoin(System.currentTimeMillis(), 0);
		assertThat(dead.heartbeat(System.currentTimeMillis(), 0)).isTrue();
		assertThat(presence("a").nodes(0)).extracting(Presence.Node::node).contains("dead");
	}

	@Test
	void aGracefulLeaveLeavesNothingToReapAndNoDeadMark() {
		NodeRegistry leaving = registry("leaving");
		leaving.register(System.currentTimeMillis(), 1);
		presence("leaving").put(member("carol", "leaving", "s3"));
		leaving.leave(System.currentTimeMillis());
		assertThat(presence("x").count()).isZero();
		assertThat(registry("x").reap(System.currentTimeMillis())).isEmpty();
		assertThat(leaving.heartbeat(System.currentTimeMillis(), 0)).isTrue();
	}

	@Test
	void aRestartWithTheSameIdGetsWhatItsPredecessorLeft() {
		NodeRegistry first = registry("fixed");
		first.register(System.currentTimeMillis(), 1);
		presence("fixed").put(member("dave", "fixed", "s4"));
		List<Presence.Member> left = registry("fixed").register(System.currentTimeMillis(), 0);
		assertThat(left).extracting(Presence.Member::name).containsExactly("dave");
		assertThat(presence("fixed").count()).isZero();
	}

}
