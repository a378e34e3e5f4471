package io.imsystem.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Broker;
import io.imsystem.broker.LocalBroker;
import io.imsystem.command.CommandParser;
import io.imsystem.hub.Hub;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleSweeper;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.InMemoryKickHistory;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.LocalNameDirectory;
import io.imsystem.presence.LocalPresence;
import io.imsystem.presence.PresenceWindow;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.ErrorCode;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.protocol.ServerEvent.Presence;
import io.imsystem.session.ChatSession;
import io.imsystem.support.MutableClock;
import io.imsystem.support.RecordingConnection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The room without a socket: recording connections show exactly what each client would get, in
 * order, and a hand-moved clock drives the idle sweeper.
 */
class ChatServiceTests {

	private static final long T0 = 1_764_060_000_000L;

	private static final String NODE = "node-a";

	private final MutableClock clock = new MutableClock(T0);

	/** The defaults, bound as the application binds them, so that a new property needs no edit here. */
	private final ChatProperties properties = new Binder(new MapConfigurationPropertySource(
			Map.of("chat.kick-history.capacity", "100", "chat.tcp.enabled", "false", "chat.cluster.node-id", NODE)))
		.bindOrCreate("chat", ChatProperties.class);

	private final Hub hub = new Hub();

	private final Roster registry = new Roster(this.hub, new LocalNameDirectory(), NODE);

	private final LocalPresence presence = new LocalPresence(this.hub.sessions(), NODE);

	private final IdlePolicy policy = new IdlePolicy(this.properties.idle());

	private final IdleTracker tracker = new IdleTracker(this.policy);

	private final KickHistory history = new InMemoryKickHistory(100);

	/** The broker the application runs with, so that the room is tested as it delivers. */
	private final Broker broker = deliveringTo(new LocalBroker(NODE), this.hub);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ChatMetrics metrics = new ChatMetrics(this.meters, this.presence::count);

	private final ChatService chat = new ChatService(this.registry, this.presence, this.broker,
			windowAtOnce(this.hub, this.broker, NODE, this.properties, this.clock), new CommandParser(1000), this.policy,
			this.tracker, this.history, this.metrics, this.properties, this.clock);

	/**
	 * A presence window whose every change is flushed as it is added: each change reaches the room
	 * as its own version-1 frame, as in version 1 of the contract (PresenceWindowTests covers
	 * windows of several changes).
	 */
	static PresenceWindow windowAtOnce(Hub hub, Broker broker, String node, ChatProperties properties, Clock clock) {
		return window(hub, broker, node, properties, clock, (task, delayNanos) -> task.run());
	}

	static PresenceWindow window(Hub hub, Broker broker, String node, ChatProperties properties, Clock clock,
			PresenceWindow.Scheduler scheduler) {
		int namesLimit = properties.presence().namesLimit();
		return new PresenceWindow(properties.presence().window(), namesLimit, clock, scheduler,
				ChatConfiguration.recipients(hub), ChatConfiguration.publisher(broker, node, namesLimit));
	}

	private final IdleSweeper sweeper = new IdleSweeper(this.tracker, this.chat, this.metrics, this.clock);

	@Test
	void joinSendsWelcomeThenOwnJoinAndTellsTheOthers() {
		RecordingConnection aliceConnection = new RecordingConnection();
		this.chat.join(aliceConnection, "alice");
		RecordingConnection bobConnection = new RecordingConnection();
		this.chat.join(bobConnection, "bob");
		assertThat(bobConnection.events()).containsExactly(new ServerEvent.Welcome("bob", 2, 300, 30, T0),
				Presence.join("bob", "127.0.0.1:50000", 2, T0));
		assertThat(aliceConnection.events()).endsWith(Presence.join("bob", "127.0.0.1:50000", 2, T0));
	}

	/**
	 * A user whose address is not shown (a WebSocket user) is announced, listed, quoted and seen
	 * leaving without it; the kick history, which only the administrator reads, still has it.
	 */
	@Test
	void anAddressThatIsNotShownReachesNoEventButTheKickHistoryHasIt() {
		RecordingConnection observer = new RecordingConnection();
		ChatSession line = this.chat.join(observer, "line");
		ChatSession web = this.chat.join(RecordingConnection.withHiddenAddress("127.0.0.1:40002"), "web");
		this.chat.receive(web, "hello");
		this.chat.receive(line, "who");
		this.chat.kick(web, LeaveReason.ADMIN, "bye", "root");
		assertThat(observer.events()).contains(Presence.join("web", null, 2, T0),
				new ServerEvent.Chat("web", "hello", T0, null), Presence.leave("web", null, LeaveReason.ADMIN, 1, T0));
		List<ServerEvent.Users> lists = observer.events(ServerEvent.Users.class);
		assertThat(lists).hasSize(1);
		assertThat(lists.get(0).users()).extracting(ServerEvent.Users.User::name, ServerEvent.Users.User::address)
			.containsExactlyInAnyOrder(tuple("line", "127.0.0.1:50000"), tuple("web", null));
		assertThat(this.history.newest(100)).extracting(KickRecord::name, KickRecord::remoteAddress)
			.containsExactly(tuple("web", "127.0.0.1:40002"));
	}

	/**
	 * A client may act the moment it sees its own join, for example by bringing in a friend: it
	 * must then see the friend's join. The join is written only once the session receives
	 * broadcasts; written before, the friend's join could be broadcast in between and miss it.
	 */
	@Test
	void aClientActingOnItsOwnJoinSeesWhatItCaused() {
		RecordingConnection aliceConnection = new RecordingConnection();
		RecordingConnection bobConnection = new RecordingConnection();
		aliceConnection.onSend((envelope) -> {
			if (envelope.event() instanceof Presence presence && presence.name().equals("alice")) {
				this.chat.join(bobConnection, "bob");
			}
		});
		this.chat.join(aliceConnection, "alice");
		assertThat(aliceConnection.events(Presence.class)).extracting(Presence::name).containsExactly("alice", "bob");
	}

	/**
	 * A broadcasting thread may run late, and a presence window closes late by design. Whatever
	 * they carry (a join, a chat, a leave, a rename), it must not reach a session that joined after
	 * the event: that session's welcome already counted the room as it was, and a stale join or
	 * leave would contradict it. The others get the window's changes as one batch, in order.
	 */
	@Test
	void aLateBroadcastDoesNotReachSessionsThatJoinedAfterIt() {
		List<Runnable> late = new ArrayList<>();
		// Every event reaches the node late: after bob has joined; so does the window's end.
		LocalBroker deferring = new LocalBroker(NODE);
		deferring.subscribe((event) -> late.add(() -> ChatConfiguration.deliver(this.hub, NODE, event)));
		PresenceWindow window = window(this.hub, deferring, NODE, this.properties, this.clock,
				(task, delayNanos) -> late.add(task));
		ChatService chat = new ChatService(this.registry, this.presence, deferring, window, new CommandParser(1000),
				this.policy, this.tracker, this.history, this.metrics, this.properties, this.clock);
		RecordingConnection alice = new RecordingConnection();
		ChatSession aliceSession = chat.join(alice, "alice");
		RecordingConnection leaver = new RecordingConnection();
		ChatSession leaverSession = chat.join(leaver, "leaver");
		chat.closed(leaverSession, LeaveReason.QUIT);
		chat.receive(aliceSession, "{\"type\":\"chat\",\"text\":\"before bob\"}");
		chat.receive(aliceSession, "rename|alicia");
		RecordingConnection bob = new RecordingConnection("127.0.0.1:50001");
		chat.join(bob, "bob");
		chat.receive(aliceSession, "{\"type\":\"chat\",\"text\":\"after bob\"}");

		// The window's flush publishes for the other nodes, which adds to the list as it runs.
		for (int i = 0; i < late.size(); i++) {
			late.get(i).run();
		}

		assertThat(bob.events()).as("bob: his welcome and join, then only what came after")
			.extracting((event) -> event.getClass().getSimpleName())
			.containsExactly("Welcome", "Presence", "Chat");
		assertThat(bob.events(ServerEvent.Chat.class)).extracting(ServerEvent.Chat::text).containsExactly("after bob");
		assertThat(alice.events(Presence.class)).extracting(Presence::event, Presence::name)
			.containsExactly(tuple("join", "alice"));
		// Her chats closed the window early (her own join, then her rename, were in it).
		List<ServerEvent.PresenceBatch> batches = alice.events(ServerEvent.PresenceBatch.class);
		assertThat(batches).flatExtracting(ServerEvent.PresenceBatch::changes)
			.extracting(PresenceChange::event, PresenceChange::name)
			.containsExactly(tuple(PresenceChange.Kind.JOIN, "leaver"), tuple(PresenceChange.Kind.LEAVE, "leaver"),
					tuple(PresenceChange.Kind.RENAME, "alicia"), tuple(PresenceChange.Kind.JOIN, "bob"));
		assertThat(batches).extracting(ServerEvent.PresenceBatch::online).containsExactly(1, 2);
	}

	/**
	 * Windows close late, but nobody reads a message from a name they were not told of: a chat or
	 * private message from a session whose join or rename is still in the window closes it first.
	 */
	@Test
	void aMessageNeverOvertakesItsSendersOwnJoinOrRename() {
		List<Runnable> windows = new ArrayList<>();
		PresenceWindow window = window(this.hub, this.broker, NODE, this.properties, this.clock,
				(task, delayNanos) -> windows.add(task));
		ChatService chat = new ChatService(this.registry, this.presence, this.broker, window, new CommandParser(1000),
				this.policy, this.tracker, this.history, this.metrics, this.properties, this.clock);
		RecordingConnection alice = new RecordingConnection();
		chat.join(alice, "alice");
		ChatSession bob = chat.join(new RecordingConnection(), "bob");
		chat.receive(bob, "hello");
		chat.receive(bob, "rename|robert");
		chat.receive(bob, "to|alice|psst");
		assertThat(alice.events()).extracting(ChatServiceTests::describe)
			.containsExactly("Welcome", "Presence join alice", "Presence join bob", "Chat hello",
					"Presence rename robert", "Private psst");
	}

	/**
	 * The others hear of the room's changes in the order they happened, even when the client that
	 * made one reacts to its own answer at once (here: bob's client brings in carol the moment it
	 * reads that its rename was done).
	 */
	@Test
	void aChangeCausedByAnAnswerReachesTheOthersAfterIt() {
		List<Runnable> windows = new ArrayList<>();
		PresenceWindow window = window(this.hub, this.broker, NODE, this.properties, this.clock,
				(task, delayNanos) -> windows.add(task));
		ChatService chat = new ChatService(this.registry, this.presence, this.broker, window, new CommandParser(1000),
				this.policy, this.tracker, this.history, this.metrics, this.properties, this.clock);
		RecordingConnection alice = new RecordingConnection();
		chat.join(alice, "alice");
		RecordingConnection bob = new RecordingConnection();
		bob.onSend((envelope) -> {
			if (envelope.event() instanceof ServerEvent.Renamed) {
				chat.join(new RecordingConnection(), "carol");
			}
		});
		ChatSession bobSession = chat.join(bob, "bob");
		chat.receive(bobSession, "rename|robert");
		for (int i = 0; i < windows.size(); i++) {
			windows.get(i).run();
		}
		List<ServerEvent.PresenceBatch> batches = alice.events(ServerEvent.PresenceBatch.class);
		assertThat(batches).hasSize(1);
		assertThat(batches.get(0).changes()).extracting(PresenceChange::event, PresenceChange::name)
			.containsExactly(tuple(PresenceChange.Kind.JOIN, "bob"), tuple(PresenceChange.Kind.RENAME, "robert"),
					tuple(PresenceChange.Kind.JOIN, "carol"));
		assertThat(batches.get(0).online()).isEqualTo(3);
	}

	private static String describe(ServerEvent event) {
		String type = event.getClass().getSimpleName();
		if (event instanceof Presence presence) {
			return type + " " + presence.event() + " " + presence.name();
		}
		if (event instanceof ServerEvent.Chat message) {
			return type + " " + message.text();
		}
		if (event instanceof ServerEvent.Private message) {
			return type + " " + message.text();
		}
		return type;
	}

	@Test
	void everyErrorAClientGetsIsCountedRefusedNamesAtJoinAndTransportRefusalsToo() {
		this.chat.join(new RecordingConnection(), "alice");
		this.chat.join(new RecordingConnection(), "ALICE");
		this.chat.join(new RecordingConnection(), "a b");
		RecordingConnection bob = new RecordingConnection();
		ChatSession session = this.chat.join(bob, "bob");
		this.chat.refuse(session, ErrorCause.TEXT_TOO_LONG, "line longer than 8192 bytes");
		this.chat.receive(session, "{\"type\":\"nope\"}");
		assertThat(bob.events(ServerEvent.Error.class)).extracting(ServerEvent.Error::code)
			.containsExactly(ErrorCode.TEXT_TOO_LONG, ErrorCode.UNKNOWN_TYPE);
		for (ErrorCode code : new ErrorCode[] { ErrorCode.NAME_TAKEN, ErrorCode.INVALID_NAME, ErrorCode.TEXT_TOO_LONG,
				ErrorCode.UNKNOWN_TYPE }) {
			assertThat(this.meters.get("chat.errors").tag("code", code.wire()).counter().count()).as(code.wire())
				.isEqualTo(1.0);
		}
	}

	@Test
	void aRefusedNameGetsAGeneratedNameAndTheErrorBetweenWelcomeAndJoin() {
		this.chat.join(new RecordingConnection(), "alice");
		RecordingConnection connection = new RecordingConnection();
		ChatSession session = this.chat.join(connection, "ALICE");
		assertThat(session.name()).matches("user-[0-9a-f]{6}");
		List<ServerEvent> events = connection.events();
		assertThat(events).hasSize(3);
		assertThat(events.get(0)).isEqualTo(new ServerEvent.Welcome(session.name(), 2, 300, 30, T0));
		assertThat(((ServerEvent.Error) events.get(1)).code()).isEqualTo(ErrorCode.NAME_TAKEN);
		assertThat(events.get(2)).isEqualTo(Presence.join(session.name(), "127.0.0.1:50000", 2, T0));

		RecordingConnection invalid = new RecordingConnection();
		ChatSession invalidSession = this.chat.join(invalid, "a b");
		assertThat(invalidSession.name()).matches("user-[0-9a-f]{6}");
		assertThat(((ServerEvent.Error) invalid.events().get(1)).code()).isEqualTo(ErrorCode.INVALID_NAME);

		RecordingConnection empty = new RecordingConnection();
		ChatSession emptySession = this.chat.join(empty, "");
		assertThat(emptySession.name()).matches("user-[0-9a-f]{6}");
		assertThat(empty.events()).hasSize(2).noneMatch(ServerEvent.Error.class::isInstance);
	}

	@Test
	void aPrivateMessageToOneselfIsDeliveredOnce() {
		RecordingConnection connection = new RecordingConnection();
		ChatSession alice = this.chat.join(connection, "alice");
		this.chat.receive(alice, "to|ALICE|note to self");
		assertThat(connection.events(ServerEvent.Private.class))
			.containsExactly(new ServerEvent.Private("alice", "alice", "note to self", T0));
	}

	@Test
	void everyFrameButPingIsActivityEvenWhenItGetsAnError() {
		ChatSession alice = this.chat.join(new RecordingConnection(), "alice");
		this.clock.advance(1000);
		this.chat.receive(alice, "{\"type\":\"ping\"}");
		assertThat(alice.lastActivityAt()).isEqualTo(T0);
		this.chat.receive(alice, "{\"type\":\"nope\"}");
		assertThat(alice.lastActivityAt()).isEqualTo(T0 + 1000);
		this.clock.advance(1000);
		this.chat.receive(alice, "to|nobody|hi");
		assertThat(alice.lastActivityAt()).isEqualTo(T0 + 2000);
	}

	@Test
	void anIdleKickSendsKickedThenClosesWith4408AndIsRecorded() {
		RecordingConnection aliceConnection = new RecordingConnection("127.0.0.1:40001");
		this.chat.join(aliceConnection, "alice");
		RecordingConnection bobConnection = new RecordingConnection();
		ChatSession bob = this.chat.join(bobConnection, "bob");
		this.clock.set(T0 + 150_000);
		this.chat.receive(bob, "still here");
		this.clock.set(T0 + 299_999);
		this.sweeper.sweep();
		assertThat(aliceConnection.closedWith()).isNull();
		assertThat(aliceConnection.events()).last().isInstanceOf(ServerEvent.IdleWarning.class);
		this.clock.set(T0 + 300_400);
		this.sweeper.sweep();
		assertThat(aliceConnection.events()).last()
			.isEqualTo(new ServerEvent.Kicked(LeaveReason.IDLE, "你被踢了", T0 + 300_400));
		assertThat(aliceConnection.closedWith()).isEqualTo(CloseCode.IDLE_TIMEOUT);
		assertThat(aliceConnection.aborted()).isFalse();
		assertThat(bobConnection.events()).last().isEqualTo(Presence.leave("alice", "127.0.0.1:40001", LeaveReason.IDLE, 1, T0 + 300_400));
		assertThat(bobConnection.closedWith()).isNull();
		assertThat(this.history.newest(100)).containsExactly(new KickRecord("alice", "127.0.0.1:40001", LeaveReason.IDLE,
				Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 300_400), 300, null,
				"你被踢了", NODE));
		assertThat(this.registry.find("alice")).isNull();
		assertThat(this.tracker.size()).isEqualTo(1);
	}

	@Test
	void aSlowClientIsAbortedWithoutAKickedEventAndRecorded() {
		RecordingConnection slowConnection = new RecordingConnection();
		ChatSession slow = this.chat.join(slowConnection, "slow");
		RecordingConnection bobConnection = new RecordingConnection();
		this.chat.join(bobConnection, "bob");
		int before = slowConnection.events().size();
		assertThat(this.chat.kick(slow, LeaveReason.SLOW, CloseCode.TOO_SLOW.reason(), null)).isNotNull();
		assertThat(slowConnection.events()).hasSize(before);
		assertThat(slowConnection.closedWith()).isEqualTo(CloseCode.TOO_SLOW);
		assertThat(slowConnection.aborted()).isTrue();
		assertThat(this.history.newest(100)).extracting(KickRecord::name, KickRecord::reason)
			.containsExactly(tuple("slow", LeaveReason.SLOW));
		assertThat(bobConnection.events()).last().isEqualTo(Presence.leave("slow", "127.0.0.1:50000", LeaveReason.SLOW, 1, T0));
	}

	@Test
	void aSessionEndsOnceWhateverRaces() {
		ChatSession alice = this.chat.join(new RecordingConnection(), "alice");
		RecordingConnection bobConnection = new RecordingConnection();
		this.chat.join(bobConnection, "bob");
		assertThat(this.chat.kick(alice, LeaveReason.ADMIN, "bye", "root")).isNotNull();
		assertThat(this.chat.kick(alice, LeaveReason.IDLE, "bye", null)).isNull();
		this.chat.closed(alice, LeaveReason.QUIT);
		this.chat.reject(alice, CloseCode.TOO_BIG);
		assertThat(bobConnection.events(Presence.class)).filteredOn((presence) -> presence.event().equals("leave"))
			.containsExactly(Presence.leave("alice", "127.0.0.1:50000", LeaveReason.ADMIN, 1, T0));
		assertThat(this.history.newest(100)).hasSize(1);
	}

	@Test
	void aRejectedSessionClosesWithTheCodeAndLeavesWithReasonError() {
		RecordingConnection connection = new RecordingConnection();
		ChatSession alice = this.chat.join(connection, "alice");
		RecordingConnection bobConnection = new RecordingConnection();
		this.chat.join(bobConnection, "bob");
		this.chat.reject(alice, CloseCode.BINARY_NOT_ACCEPTED);
		assertThat(connection.closedWith()).isEqualTo(CloseCode.BINARY_NOT_ACCEPTED);
		assertThat(bobConnection.events()).last().isEqualTo(Presence.leave("alice", "127.0.0.1:50000", LeaveReason.ERROR, 1, T0));
		assertThat(this.history.newest(100)).isEmpty();
		assertThat(this.tracker.size()).isEqualTo(1);
	}

	@Test
	void overrideTimeoutChecksTheRangeAndAppliesAtTheNextSweep() {
		RecordingConnection connection = new RecordingConnection();
		ChatSession alice = this.chat.join(connection, "alice");
		assertThatIllegalArgumentException().isThrownBy(() -> this.chat.overrideTimeout(alice, Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> this.chat.overrideTimeout(alice, Duration.ofDays(2)));
		this.chat.overrideTimeout(alice, Duration.ofSeconds(10));
		this.clock.set(T0 + 9_999);
		this.sweeper.sweep();
		assertThat(connection.closedWith()).isNull();
		this.clock.set(T0 + 10_000);
		this.sweeper.sweep();
		assertThat(connection.closedWith()).isEqualTo(CloseCode.IDLE_TIMEOUT);
	}

	@Test
	void aSessionKickedWhileItJoinsIsNotLeftTrackedNorAnnounced() {
		RecordingConnection bobConnection = new RecordingConnection();
		this.chat.join(bobConnection, "bob");
		RecordingConnection connection = new RecordingConnection();
		// An administrator kicks the newcomer the moment its welcome goes out.
		connection.onSend((envelope) -> {
			if (envelope.event() instanceof ServerEvent.Welcome welcome) {
				this.chat.kick(this.registry.find(welcome.name()), LeaveReason.ADMIN, "bye", "root");
			}
		});
		this.chat.join(connection, "alice");
		assertThat(connection.closedWith()).isEqualTo(CloseCode.ADMIN_KICK);
		assertThat(this.registry.size()).isEqualTo(1);
		assertThat(this.tracker.size()).as("sessions still watched by the idle tracker").isEqualTo(1);
		assertThat(bobConnection.events()).last().as("what bob last saw of alice")
			.isEqualTo(Presence.leave("alice", "127.0.0.1:50000", LeaveReason.ADMIN, 1, T0));
	}

	/**
	 * A handshake claims its name before it is answered; the name stays taken until its
	 * connection opens, and is given back if the handshake fails or its connection never opens.
	 */
	@Test
	void aNameClaimedByAHandshakeIsTheSessionsOnceOpenAndFreedIfItNeverOpens() {
		Reservation alice = this.chat.reserve("alice");
		assertThat(alice.name()).isEqualTo("alice");
		assertThat(this.chat.reserve("Alice").nameError().code()).as("taken while alice's handshake goes on")
			.isEqualTo(ErrorCode.NAME_TAKEN);
		RecordingConnection connection = new RecordingConnection();
		this.chat.join(connection, alice);
		assertThat(connection.events().get(0)).isEqualTo(new ServerEvent.Welcome("alice", 1, 300, 30, T0));

		Reservation bob = this.chat.reserve("bob");
		this.chat.cancel(bob);
		assertThat(this.chat.reserve("bob").name()).as("given back by a failed upgrade").isEqualTo("bob");

		// This bob's connection never opens (the client went away while its 101 was written).
		this.clock.advance(Membership.ABANDONED_AFTER_MILLIS - 1);
		assertThat(this.chat.reserve("bob").nameError().code()).isEqualTo(ErrorCode.NAME_TAKEN);
		this.clock.advance(1);
		assertThat(this.chat.reserve("bob").name()).as("freed as abandoned").isEqualTo("bob");
	}

	private static Broker deliveringTo(Broker broker, Hub hub) {
		ChatConfiguration.deliverTo(broker, hub, NODE);
		return broker;
	}

}
