package io.imsystem.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.imsystem.hub.Hub;
import io.imsystem.presence.LocalNameDirectory;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;
import io.imsystem.support.RecordingConnection;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RosterTests {

	private static final int THREADS = 16;

	private final Roster registry = new Roster(new Hub(), new LocalNameDirectory(), "node-a");

	private final AtomicInteger ids = new AtomicInteger();

	private final ExecutorService executor = Executors.newFixedThreadPool(THREADS);

	@AfterEach
	void stopExecutor() throws InterruptedException {
		this.executor.shutdownNow();
		assertThat(this.executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void addsAndFindsCaseInsensitively() {
		ChatSession alice = session();
		assertThat(this.registry.add(alice, "Alice")).isPositive();
		assertThat(this.registry.find("alice")).isSameAs(alice);
		assertThat(this.registry.find("ALICE")).isSameAs(alice);
		assertThat(this.registry.find("bob")).isNull();
		assertThat(alice.name()).isEqualTo("Alice");
		assertThat(this.registry.size()).isEqualTo(1);
		assertThat(this.registry.sessions()).containsExactly(alice);
	}

	@Test
	void namesAreUniqueCaseInsensitively() {
		ChatSession alice = session();
		ChatSession other = session();
		assertThat(this.registry.add(alice, "alice")).isPositive();
		assertThat(this.registry.add(other, "ALICE")).isZero();
		assertThat(this.registry.size()).isEqualTo(1);
		assertThat(this.registry.find("alice")).isSameAs(alice);
		assertThat(this.registry.sessions()).containsExactly(alice);
		assertThat(this.registry.add(other, "alicia")).isPositive();
		assertThat(other.name()).isEqualTo("alicia");
	}

	@Test
	void sharpSAndDoubleSAreTheSameName() {
		assertThat(this.registry.add(session(), "straße")).isPositive();
		assertThat(this.registry.add(session(), "STRASSE")).isZero();
		assertThat(this.registry.add(session(), "STRAẞE")).isZero();
	}

	@Test
	void renameMovesTheName() {
		ChatSession alice = session();
		this.registry.add(alice, "alice");
		assertThat(this.registry.rename(alice, "bob")).isEqualTo("alice");
		assertThat(alice.name()).isEqualTo("bob");
		assertThat(this.registry.find("bob")).isSameAs(alice);
		assertThat(this.registry.find("alice")).isNull();
		assertThat(this.registry.add(session(), "alice")).as("old name is free").isPositive();
	}

	@Test
	void renameToATakenNameFailsCaseInsensitively() {
		ChatSession alice = session();
		ChatSession bob = session();
		this.registry.add(alice, "alice");
		this.registry.add(bob, "bob");
		assertThat(this.registry.rename(alice, "BOB")).isNull();
		assertThat(alice.name()).isEqualTo("alice");
		assertThat(this.registry.find("alice")).isSameAs(alice);
		assertThat(this.registry.find("bob")).isSameAs(bob);
	}

	@Test
	void renameToACaseVariantOfOwnNameIsAllowed() {
		ChatSession alice = session();
		this.registry.add(alice, "alice");
		assertThat(this.registry.rename(alice, "ALICE")).isEqualTo("alice");
		assertThat(alice.name()).isEqualTo("ALICE");
		assertThat(this.registry.find("alice")).isSameAs(alice);
		assertThat(this.registry.rename(alice, "ALICE")).isEqualTo("ALICE");
		assertThat(this.registry.add(session(), "Alice")).isZero();
	}

	@Test
	void renameOfARemovedSessionFailsAndClaimsNothing() {
		ChatSession alice = session();
		this.registry.add(alice, "alice");
		this.registry.remove(alice);
		assertThat(this.registry.rename(alice, "bob")).isNull();
		assertThat(this.registry.find("bob")).isNull();
		assertThat(this.registry.add(session(), "bob")).isPositive();
	}

	@Test
	void removeFreesTheName() {
		ChatSession alice = session();
		this.registry.add(alice, "alice");
		assertThat(this.registry.remove(alice)).isTrue();
		assertThat(this.registry.remove(alice)).as("second remove").isFalse();
		assertThat(this.registry.find("alice")).isNull();
		assertThat(this.registry.size()).isZero();
		assertThat(this.registry.sessions()).isEmpty();
		assertThat(this.registry.add(session(), "ALICE")).isPositive();
	}

	@Test
	void removeOfASessionThatNeverGotItsNameDoesNotFreeTheOwnersName() {
		ChatSession alice = session();
		ChatSession loser = session();
		this.registry.add(alice, "alice");
		assertThat(this.registry.add(loser, "alice")).isZero();
		assertThat(this.registry.remove(loser)).isFalse();
		assertThat(this.registry.find("alice")).isSameAs(alice);
	}

	@RepeatedTest(20)
	void manySessionsRacingToRenameToOneNameExactlyOneWins() throws Exception {
		List<ChatSession> sessions = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			ChatSession session = session();
			this.registry.add(session, "racer" + i);
			sessions.add(session);
		}
		// Case variants of one name race too: they are one name.
		List<String> results = race(sessions,
				(session) -> this.registry.rename(session, (sessions.indexOf(session) % 2 == 0) ? "Prize" : "prize"));
		assertThat(results.stream().filter((previous) -> previous != null)).hasSize(1);
		ChatSession winner = this.registry.find("PRIZE");
		assertThat(winner).isNotNull();
		assertThat(winner.name()).isEqualToIgnoringCase("prize");
		for (ChatSession session : sessions) {
			if (session != winner) {
				assertThat(session.name()).startsWith("racer");
				assertThat(this.registry.find(session.name())).isSameAs(session);
			}
		}
		int index = sessions.indexOf(winner);
		assertThat(this.registry.find("racer" + index)).as("winner's old name is free").isNull();
		assertThat(this.registry.size()).isEqualTo(THREADS);
	}

	@RepeatedTest(20)
	void manySessionsRacingToJoinWithOneNameExactlyOneWins() throws Exception {
		List<ChatSession> sessions = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			sessions.add(session());
		}
		List<Boolean> results = race(sessions, (session) -> this.registry.add(session, "prize") != 0);
		assertThat(results.stream().filter(Boolean::booleanValue)).hasSize(1);
		assertThat(this.registry.size()).isEqualTo(1);
	}

	@RepeatedTest(20)
	void renamesRacingRemovesLeaveNoNameClaimed() throws Exception {
		List<ChatSession> sessions = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			ChatSession session = session();
			this.registry.add(session, "user" + i);
			sessions.add(session);
		}
		// Half the threads rename, the other half remove a session, all at once; then all leave.
		race(sessions, (session) -> {
			int index = sessions.indexOf(session);
			if (index % 2 == 0) {
				return this.registry.rename(sessions.get(index + 1), "renamed" + (index % 4));
			}
			return String.valueOf(this.registry.remove(session));
		});
		race(sessions, (session) -> this.registry.remove(session));
		assertThat(this.registry.size()).isZero();
		assertThat(this.registry.sessions()).isEmpty();
		for (int i = 0; i < THREADS; i++) {
			assertThat(this.registry.find("user" + i)).isNull();
			assertThat(this.registry.find("renamed" + i)).isNull();
		}
		for (int i = 0; i < THREADS; i++) {
			assertThat(this.registry.add(session(), "user" + i)).isPositive();
			assertThat(this.registry.add(session(), "renamed" + i)).isPositive();
		}
	}

	@Test
	void renameChainsNeverLoseOrDuplicateANameUnderContention() throws Exception {
		List<ChatSession> sessions = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			ChatSession session = session();
			this.registry.add(session, "n" + i);
			sessions.add(session);
		}
		// Every session keeps renaming into a small pool of names others hold or want.
		race(sessions, (session) -> {
			for (int round = 0; round < 2000; round++) {
				this.registry.rename(session, "n" + Math.floorMod(session.hashCode() + round * 7, THREADS * 2));
			}
			return null;
		});
		assertThat(this.registry.size()).isEqualTo(THREADS);
		for (ChatSession session : sessions) {
			assertThat(this.registry.find(session.name())).as("%s finds itself", session).isSameAs(session);
		}
		long claimed = IntStream.range(0, THREADS * 2)
			.filter((i) -> this.registry.find("n" + i) != null)
			.count();
		assertThat(claimed).as("names claimed").isEqualTo(THREADS);
	}

	private <T> List<T> race(List<ChatSession> sessions, RaceStep<T> step) throws Exception {
		CountDownLatch ready = new CountDownLatch(sessions.size());
		CountDownLatch go = new CountDownLatch(1);
		List<Future<T>> futures = new ArrayList<>();
		for (ChatSession session : sessions) {
			Callable<T> task = () -> {
				ready.countDown();
				go.await();
				return step.run(session);
			};
			futures.add(this.executor.submit(task));
		}
		assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
		go.countDown();
		List<T> results = new ArrayList<>();
		for (Future<T> future : futures) {
			results.add(future.get(30, TimeUnit.SECONDS));
		}
		return results;
	}

	private ChatSession session() {
		return new ChatSession("s" + this.ids.incrementAndGet(), new RecordingConnection(), 0,
				new RateLimiter(20, 40, 0));
	}

	@FunctionalInterface
	private interface RaceStep<T> {

		T run(ChatSession session) throws Exception;

	}

}
