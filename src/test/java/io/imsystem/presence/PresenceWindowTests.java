package io.imsystem.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.support.MutableClock;
import io.imsystem.support.RecordingConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

class PresenceWindowTests {

	private static final Duration WINDOW = Duration.ofMillis(100);

	private final MutableClock clock = new MutableClock(1_000);

	/** The flushes the window asked for, run by hand. */
	private final List<Runnable> scheduled = new ArrayList<>();

	private final List<Long> delays = new ArrayList<>();

	private final List<Member> room = new ArrayList<>();

	private final List<PresenceWindow.Flush> published = new ArrayList<>();

	private PresenceWindow window(int namesLimit) {
		return new PresenceWindow(WINDOW, namesLimit, this.clock, (task, delayNanos) -> {
			this.scheduled.add(task);
			this.delays.add(delayNanos);
		}, () -> this.room, this.published::add);
	}

	private final PresenceWindow window = window(1000);

	@Test
	void aQuietRoomSeesAChangeAtTheEndOfTheWindowItOpened() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.join("bob", null), 2);
		assertThat(this.scheduled).hasSize(1);
		assertThat(this.delays).containsExactly(WINDOW.toNanos());
		assertThat(alice.events()).isEmpty();
		runScheduled();
		assertThat(alice.events()).containsExactly(ServerEvent.Presence.join("bob", null, 2, 1_000));
	}

	@Test
	void oneChangeGivesTheVersionOneFrame() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.leave("bob", "127.0.0.1:5", LeaveReason.IDLE), 1);
		runScheduled();
		assertThat(alice.connection.envelopes()).hasSize(1);
		assertThat(alice.connection.envelopes().get(0).encoded(JsonEncoding.INSTANCE).text()).isEqualTo(
				"{\"type\":\"presence\",\"event\":\"leave\",\"name\":\"bob\",\"reason\":\"idle\",\"online\":1,\"ts\":1000}");
	}

	@Test
	void severalChangesGiveOneBatchInOrderWithTheCountAfterTheLast() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.join("carol", null), 2);
		this.clock.advance(10);
		this.window.add(3, PresenceChange.leave("bob", null, LeaveReason.IDLE), 1);
		this.clock.advance(10);
		this.window.add(4, PresenceChange.rename("dan", "dave"), 1);
		assertThat(this.scheduled).as("one flush per window").hasSize(1);
		runScheduled();
		assertThat(alice.connection.envelopes()).hasSize(1);
		assertThat(alice.connection.envelopes().get(0).encoded(JsonEncoding.INSTANCE).text())
			.isEqualTo("{\"type\":\"presence\",\"event\":\"batch\",\"changes\":[{\"event\":\"join\",\"name\":\"carol\"},"
					+ "{\"event\":\"leave\",\"name\":\"bob\",\"reason\":\"idle\"},"
					+ "{\"event\":\"rename\",\"name\":\"dan\",\"previousName\":\"dave\"}],\"online\":1,\"ts\":1020}");
	}

	@Test
	void aSessionThatJoinsMidWindowGetsOnlyTheLaterChangesAndNeverItsOwnJoin() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.join("bob", null), 2);
		this.window.add(3, PresenceChange.join("carol", null), 3);
		Member carol = member(3);
		this.window.add(4, PresenceChange.join("dan", null), 4);
		this.window.add(5, PresenceChange.leave("bob", null, LeaveReason.QUIT), 3);
		Member dan = member(4);
		Member erin = member(5);
		runScheduled();
		assertThat(alice.events()).containsExactly(new ServerEvent.PresenceBatch(List.of(PresenceChange.join("bob", null),
				PresenceChange.join("carol", null), PresenceChange.join("dan", null),
				PresenceChange.leave("bob", null, LeaveReason.QUIT)), 3, 1_000));
		assertThat(carol.events()).containsExactly(new ServerEvent.PresenceBatch(
				List.of(PresenceChange.join("dan", null), PresenceChange.leave("bob", null, LeaveReason.QUIT)), 3, 1_000));
		assertThat(dan.events()).as("a suffix of one change is the version-1 frame")
			.containsExactly(ServerEvent.Presence.leave("bob", null, LeaveReason.QUIT, 3, 1_000));
		assertThat(erin.events()).as("joined after every change of the window").isEmpty();
	}

	@Test
	void eachDistinctFrameIsEncodedOncePerWindowWhateverTheNumberOfRecipients() {
		List<Member> before = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			before.add(member(1));
		}
		this.window.add(2, PresenceChange.join("bob", null), 52);
		this.window.add(3, PresenceChange.join("carol", null), 53);
		List<Member> midWindow = List.of(member(2), member(2), member(2));
		this.window.add(4, PresenceChange.join("dan", null), 54);
		runScheduled();
		CountingEncoding encoding = new CountingEncoding();
		for (Member member : this.room) {
			for (Envelope envelope : member.connection.envelopes()) {
				envelope.encoded(encoding);
			}
		}
		assertThat(encoding.count).as("one batch for those present before, one for the mid-window joiners").hasValue(2);
		assertThat(before.get(0).connection.envelopes().get(0)).isSameAs(before.get(49).connection.envelopes().get(0));
		assertThat(midWindow.get(0).connection.envelopes().get(0)).isSameAs(midWindow.get(2).connection.envelopes().get(0));
	}

	@Test
	void eachWindowIsOneFrameAndTheNextChangeOpensANewWindow() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.join("bob", null), 2);
		this.window.add(3, PresenceChange.join("carol", null), 3);
		runScheduled();
		this.clock.advance(500);
		this.window.add(4, PresenceChange.join("dan", null), 4);
		assertThat(this.scheduled).as("a new window").hasSize(1);
		runScheduled();
		assertThat(alice.events()).containsExactly(
				new ServerEvent.PresenceBatch(List.of(PresenceChange.join("bob", null), PresenceChange.join("carol", null)), 3,
						1_000),
				ServerEvent.Presence.join("dan", null, 4, 1_500));
	}

	@Test
	void aboveTheNamesLimitCountFramesOnlyWhenTheCountChanged() {
		PresenceWindow small = window(2);
		Member alice = member(1);
		small.add(2, PresenceChange.join("bob", null), 2);
		runScheduled();
		small.add(3, PresenceChange.join("carol", null), 3);
		small.add(4, PresenceChange.join("dan", null), 4);
		runScheduled();
		small.add(5, PresenceChange.leave("dan", null, LeaveReason.QUIT), 3);
		small.add(6, PresenceChange.join("erin", null), 4);
		runScheduled();
		small.add(7, PresenceChange.join("fay", null), 5);
		runScheduled();
		small.add(8, PresenceChange.leave("fay", null, LeaveReason.QUIT), 4);
		small.add(9, PresenceChange.leave("erin", null, LeaveReason.QUIT), 3);
		small.add(10, PresenceChange.leave("dan", null, LeaveReason.QUIT), 2);
		runScheduled();
		assertThat(alice.events()).containsExactly(ServerEvent.Presence.join("bob", null, 2, 1_000),
				new ServerEvent.PresenceCount(4, 1_000), new ServerEvent.PresenceCount(5, 1_000),
				new ServerEvent.PresenceBatch(List.of(PresenceChange.leave("fay", null, LeaveReason.QUIT),
						PresenceChange.leave("erin", null, LeaveReason.QUIT),
						PresenceChange.leave("dan", null, LeaveReason.QUIT)), 2, 1_000));
		assertThat(alice.events().get(1)).extracting((event) -> JsonEncoding.INSTANCE.encode(event).text())
			.isEqualTo("{\"type\":\"presence\",\"event\":\"count\",\"online\":4,\"ts\":1000}");
	}

	@Test
	void aCountFrameIsOneEnvelopeForEveryone() {
		PresenceWindow small = window(1);
		Member alice = member(1);
		Member bob = member(1);
		small.add(2, PresenceChange.join("carol", null), 3);
		runScheduled();
		assertThat(alice.connection.envelopes()).hasSize(1);
		assertThat(alice.connection.envelopes().get(0)).isSameAs(bob.connection.envelopes().get(0));
	}

	@Test
	void eachWindowIsPublishedAsOneValueEvenWhenNoFrameGoesOut() {
		PresenceWindow small = window(1);
		small.add(2, PresenceChange.join("bob", null), 2);
		small.add(3, PresenceChange.rename("robert", "bob"), 2);
		runScheduled();
		small.add(4, PresenceChange.rename("bob", "robert"), 2);
		runScheduled();
		assertThat(this.published).hasSize(2);
		assertThat(this.published.get(0).changes()).extracting(PresenceWindow.Versioned::version).containsExactly(2L, 3L);
		assertThat(this.published.get(0).changes()).extracting(PresenceWindow.Versioned::value)
			.containsExactly(PresenceChange.join("bob", null), PresenceChange.rename("robert", "bob"));
		assertThat(this.published.get(0).online()).isEqualTo(2);
		assertThat(this.published.get(1).changes()).hasSize(1);
	}

	@Test
	void aWindowThatCannotBePublishedStillReachesThisNodesSessions() {
		PresenceWindow failing = new PresenceWindow(WINDOW, 1000, this.clock, (task, delayNanos) -> this.scheduled.add(task),
				() -> this.room, (flush) -> {
					throw new IllegalStateException("broker down");
				});
		Member alice = member(1);
		failing.add(2, PresenceChange.join("bob", null), 2);
		runScheduled();
		assertThat(alice.events()).containsExactly(ServerEvent.Presence.join("bob", null, 2, 1_000));
	}

	@Test
	void aWindowFlushedByHandDoesNotCutTheNextWindowShort() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.join("bob", null), 2);
		Runnable firstWindowsFlush = this.scheduled.remove(0);
		this.window.flush();
		this.window.add(3, PresenceChange.join("carol", null), 3);
		assertThat(this.scheduled).as("the next change opens a new window").hasSize(1);
		firstWindowsFlush.run();
		assertThat(alice.events()).as("the first window's flush came late and finds its window gone")
			.containsExactly(ServerEvent.Presence.join("bob", null, 2, 1_000));
		this.window.add(4, PresenceChange.join("dan", null), 4);
		runScheduled();
		assertThat(alice.events()).containsExactly(ServerEvent.Presence.join("bob", null, 2, 1_000),
				new ServerEvent.PresenceBatch(List.of(PresenceChange.join("carol", null), PresenceChange.join("dan", null)), 4,
						1_000));
	}

	@Test
	void onceTheSchedulerIsShutDownChangesAreDeliveredAtOnce() {
		ScheduledExecutorService scheduler = PresenceWindow.newScheduler();
		scheduler.shutdown();
		Member alice = member(1);
		PresenceWindow stopping = new PresenceWindow(WINDOW, 1000, this.clock, scheduler, () -> this.room, (flush) -> {
		});
		stopping.add(2, PresenceChange.leave("bob", null, LeaveReason.SHUTDOWN), 1);
		assertThat(alice.events()).containsExactly(ServerEvent.Presence.leave("bob", null, LeaveReason.SHUTDOWN, 1, 1_000));
	}

	@Test
	void changesMustComeInVersionOrder() {
		this.window.add(5, PresenceChange.join("bob", null), 2);
		assertThatIllegalArgumentException().isThrownBy(() -> this.window.add(5, PresenceChange.join("carol", null), 3));
		assertThatIllegalArgumentException().isThrownBy(() -> this.window.add(4, PresenceChange.join("carol", null), 3));
	}

	@Test
	void aFlushWithNothingPendingSendsNothing() {
		Member alice = member(1);
		this.window.flush();
		assertThat(alice.events()).isEmpty();
		assertThat(this.published).isEmpty();
	}

	@Test
	void aLineUsersAddressReachesTheLineEncodingOfTheFrame() {
		Member alice = member(1);
		this.window.add(2, PresenceChange.join("127.0.0.1:5", "127.0.0.1:5"), 2);
		runScheduled();
		assertThat(alice.events()).containsExactly(ServerEvent.Presence.join("127.0.0.1:5", "127.0.0.1:5", 2, 1_000));
	}

	@Test
	void flushesRunOnTheWindowsOwnThread() {
		ScheduledExecutorService scheduler = PresenceWindow.newScheduler();
		try {
			List<String> threads = new CopyOnWriteArrayList<>();
			PresenceWindow real = new PresenceWindow(Duration.ofMillis(1), 1000, this.clock, scheduler,
					() -> List.of(new PresenceWindow.Recipient() {

						@Override
						public long joinVersion() {
							return 1;
						}

						@Override
						public void send(Envelope envelope) {
							threads.add(Thread.currentThread().getName());
						}

					}), this.published::add);
			real.add(2, PresenceChange.join("bob", null), 2);
			await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
			assertThat(threads).containsExactly("presence-window");
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	@Test
	void underConcurrentChangesAndJoinsEverySessionGetsExactlyTheChangesAfterItsJoinInOrder() throws Exception {
		ScheduledExecutorService scheduler = PresenceWindow.newScheduler();
		List<Member> sessions = new CopyOnWriteArrayList<>();
		Object membership = new Object();
		long[] version = { 0 };
		PresenceWindow real = new PresenceWindow(Duration.ofMillis(1), 1000, this.clock, scheduler, () -> sessions,
				(flush) -> {
				});
		int threads = 4;
		int changesPerThread = 500;
		List<Thread> workers = new ArrayList<>();
		try {
			for (int t = 0; t < threads; t++) {
				Thread worker = new Thread(() -> {
					for (int i = 0; i < changesPerThread; i++) {
						synchronized (membership) {
							long next = ++version[0];
							if (i % 50 == 0) {
								// A session joining: its own join is its join version, never sent to it here.
								sessions.add(new Member(next, new RecordingConnection()));
							}
							real.add(next, PresenceChange.join("u" + next, null), 1);
						}
					}
				});
				workers.add(worker);
				worker.start();
			}
			for (Thread worker : workers) {
				worker.join(Duration.ofSeconds(30).toMillis());
			}
			real.flush();
			long last = version[0];
			assertThat(last).isEqualTo((long) threads * changesPerThread);
			assertThat(sessions).hasSize(threads * changesPerThread / 50);
			for (Member session : sessions) {
				List<String> names = new ArrayList<>();
				for (ServerEvent event : session.events()) {
					if (event instanceof ServerEvent.PresenceBatch batch) {
						batch.changes().forEach((change) -> names.add(change.name()));
					}
					else {
						names.add(((ServerEvent.Presence) event).name());
					}
				}
				List<String> expected = new ArrayList<>();
				for (long v = session.joinVersion() + 1; v <= last; v++) {
					expected.add("u" + v);
				}
				assertThat(names).as("session joined at %d", session.joinVersion()).isEqualTo(expected);
			}
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	private Member member(long joinVersion) {
		Member member = new Member(joinVersion, new RecordingConnection());
		this.room.add(member);
		return member;
	}

	private void runScheduled() {
		List<Runnable> tasks = List.copyOf(this.scheduled);
		this.scheduled.clear();
		tasks.forEach(Runnable::run);
	}

	private record Member(long joinVersion, RecordingConnection connection) implements PresenceWindow.Recipient {

		@Override
		public void send(Envelope envelope) {
			this.connection.send(envelope);
		}

		List<ServerEvent> events() {
			return this.connection.events();
		}

	}

	/** Counts how often an event is really encoded, with the JSON encoding's slot. */
	private static final class CountingEncoding implements Envelope.Encoding<String> {

		final AtomicInteger count = new AtomicInteger();

		@Override
		public int slot() {
			return JsonEncoding.INSTANCE.slot();
		}

		@Override
		public String encode(ServerEvent event) {
			this.count.incrementAndGet();
			return JsonEncoding.INSTANCE.encode(event).text();
		}

	}

}
