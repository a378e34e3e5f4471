package io.imsystem.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;
import io.imsystem.session.Names;
import io.imsystem.session.RateLimiter;
import io.imsystem.chat.Roster;
import io.imsystem.hub.Hub;
import io.imsystem.presence.LocalNameDirectory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roster (this node's hub and the name directory, kept in step) alone, without sockets, many
 * times faster than the stress test with clients: eight threads joining, renaming (to a handful of
 * names, in any case) and removing the same sessions, from a fixed seed. Afterwards every
 * registered session is found under its own name, no name points to a session that is gone, and
 * every free name can be taken.
 */
class RosterStressTests {

	private static final long SEED = 0x5E55_1015L;

	private static final int THREADS = 8;

	private static final int OPERATIONS_PER_THREAD = 20_000;

	private static final List<String> NAMES = List.of("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy",
			"jon", "straße", "STRASSE");

	@Test
	void namesAndSessionsStayInStepUnderConcurrentJoinsRenamesAndRemovals() throws Exception {
		Roster registry = new Roster(new Hub(), new LocalNameDirectory(), "node-a");
		List<ChatSession> everAdded = new CopyOnWriteArrayList<>();
		Set<ChatSession> removed = ConcurrentHashMap.newKeySet();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(THREADS);
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				Random random = new Random(SEED + t);
				running.add(threads.submit(() -> {
					start.await();
					for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
						int choice = random.nextInt(10);
						if (choice < 3 || everAdded.isEmpty()) {
							ChatSession session = newSession();
							if (registry.add(session, randomName(random)) != 0) {
								everAdded.add(session);
							}
						}
						else if (choice < 7) {
							registry.rename(everAdded.get(random.nextInt(everAdded.size())), randomName(random));
						}
						else if (choice < 9) {
							ChatSession session = everAdded.get(random.nextInt(everAdded.size()));
							if (registry.remove(session)) {
								assertThat(removed.add(session)).as("removed twice: %s", session).isTrue();
							}
						}
						else {
							registry.find(randomName(random));
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> thread : running) {
				thread.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}

		List<ChatSession> registered = new ArrayList<>(registry.sessions());
		assertThat(registered).hasSize(registry.size()).doesNotContainAnyElementsOf(removed);
		assertThat(registered.size() + removed.size()).isEqualTo(everAdded.size());
		for (ChatSession session : registered) {
			assertThat(registry.find(session.name())).as("found under its own name").isSameAs(session);
		}
		assertThat(registered.stream().map((session) -> Names.key(session.name())).distinct())
			.as("one session per name").hasSize(registered.size());
		for (String name : NAMES) {
			ChatSession holder = registry.find(name);
			if (holder != null) {
				assertThat(registered).as("%s is held by a registered session", name).contains(holder);
				assertThat(Names.key(holder.name())).isEqualTo(Names.key(name));
			}
			else {
				assertThat(registry.add(newSession(), name)).as("%s is free, so it can be taken", name).isPositive();
			}
		}
	}

	private static String randomName(Random random) {
		String name = NAMES.get(random.nextInt(NAMES.size()));
		return random.nextBoolean() ? name.toUpperCase(Locale.ROOT) : name;
	}

	private static ChatSession newSession() {
		return new ChatSession(UUID.randomUUID().toString(), new QuietConnection(), 0, new RateLimiter(20, 40, 0));
	}

	private static final class QuietConnection implements Connection {

		@Override
		public String remoteAddress() {
			return "127.0.0.1:50000";
		}

		@Override
		public void send(Envelope envelope) {
		}

		@Override
		public void close(CloseCode code) {
		}

		@Override
		public void abort(CloseCode code) {
		}

		@Override
		public CompletableFuture<Void> closed() {
			return CompletableFuture.completedFuture(null);
		}

	}

}
