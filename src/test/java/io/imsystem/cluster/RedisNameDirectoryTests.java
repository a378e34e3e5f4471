package io.imsystem.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.imsystem.presence.NameDirectory.Owner;

import static org.assertj.core.api.Assertions.assertThat;

class RedisNameDirectoryTests {

	private TestRedis redis;

	private TestRedis otherNode;

	private RedisNameDirectory names;

	private RedisNameDirectory otherNames;

	@BeforeEach
	void connect() {
		this.redis = TestRedis.shared(getClass());
		this.otherNode = this.redis.another();
		this.names = new RedisNameDirectory(this.redis.template, this.redis.keys);
		this.otherNames = new RedisNameDirectory(this.otherNode.template, this.otherNode.keys);
	}

	@AfterEach
	void close() {
		this.otherNode.close();
		this.redis.close();
	}

	@Test
	void aNameIsClaimedOnceAcrossNodesWhateverItsCase() {
		Owner alice = new Owner("node-a", "s1");
		assertThat(this.names.claim("Alice", alice)).isTrue();
		assertThat(this.otherNames.claim("ALICE", new Owner("node-b", "s9"))).isFalse();
		assertThat(this.otherNames.owner("alice")).isEqualTo(alice);
	}

	@Test
	void releaseFreesOnlyTheOwnersName() {
		Owner alice = new Owner("node-a", "s1");
		this.names.claim("alice", alice);
		this.otherNames.release("alice", new Owner("node-b", "s9"));
		assertThat(this.names.owner("alice")).isEqualTo(alice);
		this.names.release("Alice", alice);
		assertThat(this.otherNames.owner("alice")).isNull();
		assertThat(this.otherNames.claim("alice", new Owner("node-b", "s9"))).isTrue();
	}

	@Test
	void moveTakesTheNewNameAndFreesTheOld() {
		Owner alice = new Owner("node-a", "s1");
		this.names.claim("alice", alice);
		this.otherNames.claim("bob", new Owner("node-b", "s2"));
		assertThat(this.names.move("alice", "BOB", alice)).isFalse();
		assertThat(this.names.owner("alice")).isEqualTo(alice);
		assertThat(this.names.move("alice", "Alice", alice)).isTrue();
		assertThat(this.names.move("alice", "carol", alice)).isTrue();
		assertThat(this.otherNames.owner("carol")).isEqualTo(alice);
		assertThat(this.otherNames.owner("alice")).isNull();
	}

	@Test
	void aRenameRaceAcrossNodesHasExactlyOneWinner() throws Exception {
		int racers = 8;
		ExecutorService pool = Executors.newFixedThreadPool(racers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Boolean>> results = new ArrayList<>();
			for (int i = 0; i < racers; i++) {
				RedisNameDirectory directory = (i % 2 == 0) ? this.names : this.otherNames;
				Owner owner = new Owner((i % 2 == 0) ? "node-a" : "node-b", "s" + i);
				directory.claim("user" + i, owner);
				Callable<Boolean> rename = () -> {
					start.await();
					return directory.move("user" + owner.sessionId().substring(1), "Winner", owner);
				};
				results.add(pool.submit(rename));
			}
			start.countDown();
			int winners = 0;
			for (Future<Boolean> result : results) {
				winners += result.get() ? 1 : 0;
			}
			assertThat(winners).isEqualTo(1);
			Owner winner = this.names.owner("winner");
			assertThat(winner).isNotNull();
			// The winner's old name is free; every loser keeps its own.
			for (int i = 0; i < racers; i++) {
				Owner owner = this.names.owner("user" + i);
				if (("s" + i).equals(winner.sessionId())) {
					assertThat(owner).isNull();
				}
				else {
					assertThat(owner).isNotNull();
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

}
