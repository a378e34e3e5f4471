package io.imsystem.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.imsystem.ChatProperties;
import io.imsystem.broker.Broker;
import io.imsystem.broker.Control;
import io.imsystem.broker.RoomEvent;
import io.imsystem.command.CommandParser;
import io.imsystem.hub.Hub;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleTracker;
import io.imsystem.idle.InMemoryKickHistory;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.presence.LocalNameDirectory;
import io.imsystem.presence.LocalPresence;
import io.imsystem.presence.NameDirectory;
import io.imsystem.presence.Presence;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.support.MutableClock;
import io.imsystem.support.RecordingConnection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Two nodes in one JVM, sharing one name directory, one presence and a bus between their brokers:
 * what cluster mode will provide. It shows that the seams carry only values (ids and payloads),
 * and that whatever acts on a user by name reaches it on the node it is connected to.
 */
class TwoNodesTests {

	private static final long T0 = 1_764_060_000_000L;

	private final MutableClock clock = new MutableClock(T0);

	private final ChatProperties properties = new Binder(
			new MapConfigurationPropertySource(Map.of("chat.tcp.enabled", "false")))
		.bindOrCreate("chat", ChatProperties.class);

	private final NameDirectory names = new LocalNameDirectory();

	private final Bus bus = new Bus();

	private final List<Presence> presences = new ArrayList<>();

	/** Every node's members: the cluster-wide read model. */
	private final Presence cluster = new Presence() {

		@Override
		public List<Member> members(long now) {
			List<Member> members = new ArrayList<>();
			TwoNodesTests.this.presences.forEach((presence) -> members.addAll(presence.members(now)));
			return members;
		}

		@Override
		public int count() {
			return TwoNodesTests.this.presences.stream().mapToInt(Presence::count).sum();
		}

		@Override
		public List<Node> nodes(long now) {
			List<Node> nodes = new ArrayList<>();
			TwoNodesTests.this.presences.forEach((presence) -> nodes.addAll(presence.nodes(now)));
			return nodes;
		}

	};

	private final Node a = new Node("node-a");

	private final Node b = new Node("node-b");

	@Test
	void aChatOnOneNodeReachesTheUsersOfTheOther() {
		RecordingConnection alice = new RecordingConnection();
		RecordingConnection bob = new RecordingConnection();
		ChatSession aliceSession = this.a.chat.join(alice, "alice");
		this.b.chat.join(bob, "bob");
		this.a.chat.receive(aliceSession, "hello bob");
		assertThat(bob.events(ServerEvent.Chat.class)).extracting(ServerEvent.Chat::from, ServerEvent.Chat::text)
			.containsExactly(tuple("alice", "hello bob"));
		assertThat(alice.events(ServerEvent.Presence.class)).extracting(ServerEvent.Presence::name)
			.containsExactly("alice", "bob");
	}

	@Test
	void aNameIsUniqueAcrossNodes() {
		this.a.chat.join(new RecordingConnection(), "alice");
		RecordingConnection other = new RecordingConnection();
		this.b.chat.join(other, "ALICE");
		assertThat(other.events(ServerEvent.Error.class)).extracting(ServerEvent.Error::message)
			.containsExactly("the name ALICE is taken");
	}

	@Test
	void aPrivateMessageReachesItsRecipientOnTheOtherNodeAndNobodyElse() {
		RecordingConnection alice = new RecordingConnection();
		RecordingConnection bob = new RecordingConnection();
		RecordingConnection carol = new RecordingConnection();
		ChatSession aliceSession = this.a.chat.join(alice, "alice");
		this.b.chat.join(bob, "bob");
		this.b.chat.join(carol, "carol");
		this.a.chat.receive(aliceSession, "to|bob|psst");
		ServerEvent.Private whisper = new ServerEvent.Private("alice", "bob", "psst", T0);
		assertThat(bob.events(ServerEvent.Private.class)).containsExactly(whisper);
		assertThat(alice.events(ServerEvent.Private.class)).containsExactly(whisper);
		assertThat(carol.events(ServerEvent.Private.class)).isEmpty();
	}

	@Test
	void anAdminKickOnOneNodeKicksTheUserOnTheOtherThroughTheControlChannel() {
		RecordingConnection alice = new RecordingConnection();
		RecordingConnection bob = new RecordingConnection();
		this.a.chat.join(alice, "alice");
		this.b.chat.join(bob, "bob");
		KickRecord kick = this.a.moderation.kick("Bob", "bye", "root");
		assertThat(kick).extracting(KickRecord::name, KickRecord::node).containsExactly("bob", "node-b");
		assertThat(bob.events(ServerEvent.Kicked.class)).extracting(ServerEvent.Kicked::message).containsExactly("bye");
		assertThat(this.b.history.newest(10)).extracting(KickRecord::name, KickRecord::kickedBy, KickRecord::node)
			.containsExactly(tuple("bob", "root", "node-b"));
		assertThat(alice.events(ServerEvent.Presence.class)).extracting(ServerEvent.Presence::event)
			.containsExactly("join", "join", "leave");
		assertThat(this.names.owner("bob")).isNull();
	}

	@Test
	void aUsersOwnTimeoutIsSetOnTheNodeItIsConnectedTo() {
		ChatSession bob = this.b.chat.join(new RecordingConnection(), "bob");
		Presence.Member before = this.a.moderation.overrideTimeout("bob", Duration.ofSeconds(42));
		assertThat(before.timeoutOverride()).isNull();
		assertThat(bob.timeoutOverride()).isEqualTo(Duration.ofSeconds(42));
	}

	/**
	 * A node shutting down kicks its own users; the others', on another node, must see them leave,
	 * or they would list users who are gone.
	 */
	@Test
	void theUsersOfAnotherNodeSeeTheLeavesOfANodeThatShutsDown() {
		RecordingConnection bob = new RecordingConnection();
		this.a.chat.join(new RecordingConnection(), "alice");
		this.a.chat.join(new RecordingConnection(), "carol");
		this.b.chat.join(bob, "bob");
		this.a.chat.shutdown();
		assertThat(bob.events(ServerEvent.Presence.class)).extracting(ServerEvent.Presence::event,
				ServerEvent.Presence::name, ServerEvent.Presence::reason)
			.containsExactlyInAnyOrder(tuple("join", "bob", null), tuple("leave", "alice", LeaveReason.SHUTDOWN),
					tuple("leave", "carol", LeaveReason.SHUTDOWN));
	}

	/** One node's parts, composed as ChatConfiguration composes them. */
	private final class Node {

		final KickHistory history = new InMemoryKickHistory(100);

		final ChatService chat;

		final Moderation moderation;

		Node(String id) {
			TwoNodesTests outer = TwoNodesTests.this;
			Hub hub = new Hub();
			Broker broker = outer.bus.node(id);
			ChatConfiguration.deliverTo(broker, hub, id);
			Roster roster = new Roster(hub, outer.names, id);
			outer.presences.add(new LocalPresence(hub.sessions(), id));
			IdlePolicy policy = new IdlePolicy(outer.properties.idle());
			this.chat = new ChatService(roster, outer.cluster, broker,
					ChatServiceTests.windowAtOnce(hub, broker, id, outer.properties, outer.clock), new CommandParser(1000),
					policy,
					new IdleTracker(policy), this.history, new ChatMetrics(new SimpleMeterRegistry(), hub::size),
					outer.properties, outer.clock);
			this.moderation = new Moderation(roster, outer.cluster, broker, this.chat, policy, outer.clock);
		}

	}

	/** What a broker between nodes does: every room event to every node, a command to its node. */
	private static final class Bus {

		private final List<Consumer<RoomEvent>> subscribers = new CopyOnWriteArrayList<>();

		private final Map<String, List<Consumer<Control>>> handlers = new HashMap<>();

		Broker node(String id) {
			List<Consumer<Control>> own = new CopyOnWriteArrayList<>();
			this.handlers.put(id, own);
			return new Broker() {

				@Override
				public void publish(RoomEvent event) {
					Bus.this.subscribers.forEach((subscriber) -> subscriber.accept(event));
				}

				@Override
				public void subscribe(Consumer<RoomEvent> subscriber) {
					Bus.this.subscribers.add(subscriber);
				}

				@Override
				public void control(Control command) {
					Bus.this.handlers.forEach((node, handlers) -> {
						if (command.node() == null || command.node().equals(node)) {
							handlers.forEach((handler) -> handler.accept(command));
						}
					});
				}

				@Override
				public void subscribeControl(Consumer<Control> handler) {
					own.add(handler);
				}

			};
		}

	}

}
