package io.imsystem.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.imsystem.broker.Control;
import io.imsystem.broker.RoomEvent;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.support.MutableClock;
import io.imsystem.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Two nodes' brokers on a private Redis, which the tests kill and restart. */
class RedisBrokerTests {

	private final ClusterCodec codec = new ClusterCodec();

	private RedisServer server;

	private TestRedis nodeA;

	private TestRedis nodeB;

	private RedisBroker brokerA;

	private RedisBroker brokerB;

	private final BlockingQueue<RoomEvent> atA = new LinkedBlockingQueue<>();

	private final BlockingQueue<RoomEvent> atB = new LinkedBlockingQueue<>();

	private final BlockingQueue<Control> controlAtB = new LinkedBlockingQueue<>();

	private static final Duration TTL = Duration.ofSeconds(3);

	/** The nodes' leases read this clock; the brokers' own timestamps are real. */
	private final MutableClock leaseClock = new MutableClock(1_000_000);

	private Lease leaseA;

	@BeforeEach
	void start() throws Exception {
		if (!RedisServer.available()) {
			if (System.getenv("CI") != null) {
				throw new IllegalStateException("redis-server is not installed");
			}
			Assumptions.abort("redis-server is not installed and CI is unset");
		}
		this.server = RedisServer.start();
		this.nodeA = TestRedis.on(this.server.port(), getClass());
		this.nodeB = this.nodeA.another();
		this.brokerA = broker(this.nodeA, "a");
		this.brokerB = broker(this.nodeB, "b");
		this.brokerA.subscribe(this.atA::add);
		this.brokerB.subscribe(this.atB::add);
		this.brokerB.subscribeControl(this.controlAtB::add);
		this.brokerA.start();
		this.brokerB.start();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.brokerA.linkUp() && this.brokerB.linkUp());
	}

	private RedisBroker broker(TestRedis redis, String node) {
		Lease lease = new Lease(this.leaseClock, TTL);
		lease.confirm(this.leaseClock.millis());
		if (node.equals("a")) {
			this.leaseA = lease;
		}
		return new RedisBroker(redis.connections, redis.keys, node, this.codec, Clock.systemUTC(), lease,
				ClusterConfiguration.PROBE_INTERVAL, ClusterConfiguration.PROBE_TIMEOUT);
	}

	@AfterEach
	void stop() {
		try {
			if (this.brokerA != null) {
				this.brokerA.stop();
				this.brokerB.stop();
				this.nodeB.close();
				this.nodeA.close();
			}
		}
		finally {
			if (this.server != null) {
				this.server.close();
			}
		}
	}

	private RoomEvent chat(String from, String text, String address) {
		return RoomEvent.toAll(new Envelope(new ServerEvent.Chat(from, text, 1234, address)), "a", 7);
	}

	@Test
	void aRoomEventReachesEveryNodeExactlyOnceWithItsJsonAndItsLineFields() throws Exception {
		this.brokerA.publish(chat("alice", "hello", "127.0.0.1:5555"));
		RoomEvent local = this.atA.poll(5, TimeUnit.SECONDS);
		RoomEvent remote = this.atB.poll(5, TimeUnit.SECONDS);
		assertThat(local).isNotNull();
		assertThat(remote).isNotNull();
		assertThat(remote.originNode()).isEqualTo("a");
		assertThat(remote.originStamp()).isEqualTo(7);
		assertThat(remote.payload().event()).isEqualTo(new ServerEvent.Chat("alice", "hello", 1234, "127.0.0.1:5555"));
		assertThat(remote.payload().encoded(JsonEncoding.INSTANCE))
			.isEqualTo(local.payload().encoded(JsonEncoding.INSTANCE));
		// A probe round later, nothing more came: not the own event back at A, no second copy at B.
		this.brokerA.publish(chat("alice", "second", null));
		assertThat(this.atB.poll(5, TimeUnit.SECONDS).payload().event()).isInstanceOf(ServerEvent.Chat.class)
			.extracting("text").isEqualTo("second");
		assertThat(this.atA.poll(5, TimeUnit.SECONDS).payload().event()).extracting("text").isEqualTo("second");
		assertThat(this.atA.poll(2, TimeUnit.SECONDS)).isNull();
		assertThat(this.atB.poll(0, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void chatsSentTogetherCrossAsOneMessageAndArriveAsTheSameChatsInOrder() throws Exception {
		List<Envelope> parts = List.of(new Envelope(new ServerEvent.Chat("alice", "one", 1, "127.0.0.1:5555")),
				new Envelope(new ServerEvent.Chat("alice", "two \u4f60\u597d", 2, "127.0.0.1:5555")),
				new Envelope(new ServerEvent.Chat("alice", "three", 3, "127.0.0.1:5555")));
		this.brokerA.publish(RoomEvent.toAll(new Envelope(new ServerEvent.Chats(parts, 3)), "a", 7));
		RoomEvent remote = this.atB.poll(5, TimeUnit.SECONDS);
		assertThat(remote).isNotNull();
		assertThat(remote.originStamp()).isEqualTo(7);
		assertThat(remote.payload().event()).isInstanceOf(ServerEvent.Chats.class);
		List<Envelope> arrived = ((ServerEvent.Chats) remote.payload().event()).parts();
		assertThat(arrived).extracting(Envelope::event).containsExactlyElementsOf(parts.stream().map(Envelope::event).toList());
		for (int i = 0; i < parts.size(); i++) {
			assertThat(arrived.get(i).encoded(JsonEncoding.INSTANCE)).isEqualTo(parts.get(i).encoded(JsonEncoding.INSTANCE));
		}
		assertThat(this.atB.poll(2, TimeUnit.SECONDS)).as("one message, not one per chat").isNull();
	}

	@Test
	void whileItsLeaseHasLapsedANodeHoldsItsEventsUntilAHeartbeatConfirmsItThenSendsThemInOrder() throws Exception {
		// A freeze past the node TTL: the other nodes may have declared this one dead.
		this.leaseClock.advance(TTL.toMillis());
		assertThat(this.brokerA.linkUp()).as("a node that may be dead admits nobody").isFalse();
		this.brokerA.publish(chat("alice", "held 1", null));
		this.brokerA.publish(chat("alice", "held 2", null));
		// Its own sessions get them at once; the other node not yet (a probe round later, still nothing).
		assertThat(this.atA.poll(5, TimeUnit.SECONDS).payload().event()).extracting("text").isEqualTo("held 1");
		assertThat(this.atA.poll(5, TimeUnit.SECONDS).payload().event()).extracting("text").isEqualTo("held 2");
		assertThat(this.atB.poll(2, TimeUnit.SECONDS)).isNull();

		// The heartbeat was accepted: it was not declared dead.
		this.leaseA.confirm(this.leaseClock.millis());
		this.brokerA.publishHeld();
		this.brokerA.publish(chat("alice", "after", null));
		assertThat(this.brokerA.linkUp()).isTrue();
		for (String text : new String[] { "held 1", "held 2", "after" }) {
			assertThat(this.atB.poll(5, TimeUnit.SECONDS).payload().event()).extracting("text").isEqualTo(text);
		}
	}

	@Test
	void whatANodeHeldIsNeverSentWhenItFindsItselfDeclaredDead() throws Exception {
		this.leaseClock.advance(TTL.toMillis() + 1);
		this.brokerA.publish(chat("alice", "stale", null));
		// The heartbeat found it dead: what it held is dropped, and it rejoins.
		this.brokerA.dropHeld();
		this.leaseA.confirm(this.leaseClock.millis());
		this.brokerA.publishHeld();
		this.brokerA.publish(chat("alice", "fresh", null));
		assertThat(this.atB.poll(5, TimeUnit.SECONDS).payload().event()).extracting("text").isEqualTo("fresh");
		assertThat(this.brokerA.stats().dropped()).isEqualTo(1);
	}

	@Test
	void aControlCommandReachesTheNodeItNames() throws Exception {
		Control kick = new Control.Kick("b", "s1", LeaveReason.ADMIN, "bye", "admin");
		this.brokerA.control(kick);
		assertThat(this.controlAtB.poll(5, TimeUnit.SECONDS)).isEqualTo(kick);
		Control timeout = new Control.SetTimeout("b", "s1", Duration.ofSeconds(42));
		this.brokerA.control(timeout);
		assertThat(this.controlAtB.poll(5, TimeUnit.SECONDS)).isEqualTo(timeout);
	}

	@Test
	void aSilentlyDroppedSubscriptionIsRestored() throws Exception {
		assertThat(Integer.parseInt(this.server.cli("CLIENT", "KILL", "TYPE", "pubsub"))).isPositive();
		Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
			this.brokerA.publish(chat("alice", "after", null));
			return this.atB.stream().anyMatch((event) -> "after".equals(((ServerEvent.Chat) event.payload().event()).text()));
		});
	}

	@Test
	void deliveryResumesAfterRedisRestartsAndNothingOfTheOutageIsReplayed() throws Exception {
		this.server.kill();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !this.brokerA.linkUp());
		// Local delivery goes on during the outage; the publish is dropped, not buffered.
		this.brokerA.publish(chat("alice", "during", null));
		assertThat(this.atA.poll(5, TimeUnit.SECONDS).payload().event()).extracting("text").isEqualTo("during");
		this.server.startAgain();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.brokerA.linkUp() && this.brokerB.linkUp());
		this.brokerA.publish(chat("alice", "after", null));
		RoomEvent first = this.atB.poll(5, TimeUnit.SECONDS);
		assertThat(first).isNotNull();
		assertThat(first.payload().event()).extracting("text").isEqualTo("after");
	}

}
