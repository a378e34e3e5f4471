package io.imsystem.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.RateLimiter;
import io.imsystem.support.RecordingConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HubTests {

	private final Hub hub = new Hub();

	@Test
	void deliversTheSameEnvelopeToEveryLiveSessionButTheExcepted() {
		RecordingConnection alice = new RecordingConnection();
		RecordingConnection bob = new RecordingConnection();
		RecordingConnection carol = new RecordingConnection();
		join(alice, "alice");
		ChatSession bobSession = join(bob, "bob");
		join(carol, "carol");
		Envelope envelope = new Envelope(new ServerEvent.Chat("alice", "hi", 1, null));
		this.hub.deliver(envelope, null, null, Long.MAX_VALUE);
		this.hub.deliver(new Envelope(new ServerEvent.Chat("bob", "not to bob", 2, null)), bobSession.id(), null,
				Long.MAX_VALUE);
		assertThat(alice.envelopes()).hasSize(2).first().isSameAs(envelope);
		assertThat(bob.envelopes()).containsExactly(envelope);
		assertThat(carol.envelopes()).hasSize(2).first().isSameAs(envelope);
	}

	@Test
	void skipsSessionsNotYetJoinedOrEnded() {
		RecordingConnection joining = new RecordingConnection();
		ChatSession joiningSession = session("joining");
		this.hub.add(joiningSession);
		RecordingConnection ended = new RecordingConnection();
		ChatSession endedSession = join(ended, "ended");
		endedSession.end(LeaveReason.QUIT);
		RecordingConnection live = new RecordingConnection();
		join(live, "live");
		this.hub.deliver(new Envelope(new ServerEvent.Pong(1)), null, null, Long.MAX_VALUE);
		assertThat(joining.envelopes()).isEmpty();
		assertThat(ended.envelopes()).isEmpty();
		assertThat(live.envelopes()).hasSize(1);
	}

	/** Each recipient's sender asks for the encoding, as the real ones do; it is computed once. */
	@Test
	void anEnvelopeIsEncodedOnceForAllRecipients() {
		AtomicInteger encodings = new AtomicInteger();
		Envelope.Encoding<JsonEncoding.Frame> counting = new Envelope.Encoding<>() {

			@Override
			public int slot() {
				return JsonEncoding.INSTANCE.slot();
			}

			@Override
			public JsonEncoding.Frame encode(ServerEvent event) {
				encodings.incrementAndGet();
				return JsonEncoding.INSTANCE.encode(event);
			}

		};
		List<JsonEncoding.Frame> written = new CopyOnWriteArrayList<>();
		for (String name : new String[] { "alice", "bob", "carol", "dave" }) {
			RecordingConnection connection = new RecordingConnection();
			connection.onSend((envelope) -> written.add(envelope.encoded(counting)));
			join(connection, name);
		}
		this.hub.deliver(new Envelope(new ServerEvent.Chat("alice", "hi", 1, null)), null, null, this.hub.stamp());
		assertThat(written).hasSize(4);
		assertThat(encodings).hasValue(1);
		assertThat(written).allSatisfy((frame) -> assertThat(frame).isSameAs(written.get(0)));
		assertThat(written.get(0).text()).isEqualTo("{\"type\":\"chat\",\"from\":\"alice\",\"text\":\"hi\",\"ts\":1}");
	}

	/** Shutting down: every local session is going, so nothing is delivered here meanwhile. */
	@Test
	void aClosingHubDeliversNothingUntilItResumes() {
		RecordingConnection live = new RecordingConnection();
		join(live, "live");
		this.hub.closing(true);
		this.hub.deliver(new Envelope(new ServerEvent.Pong(1)), null, null, this.hub.stamp());
		assertThat(live.envelopes()).isEmpty();
		this.hub.closing(false);
		this.hub.deliver(new Envelope(new ServerEvent.Pong(2)), null, null, this.hub.stamp());
		assertThat(live.envelopes()).hasSize(1);
	}

	/** An event reaches only sessions admitted as of its stamp, however late it is delivered. */
	@Test
	void anEventGoesOnlyToSessionsAdmittedBeforeItArrivedAndOnlyToItsOneRecipient() {
		RecordingConnection early = new RecordingConnection();
		ChatSession earlySession = join(early, "early");
		long asOf = this.hub.stamp();
		RecordingConnection late = new RecordingConnection();
		join(late, "late");
		this.hub.deliver(new Envelope(new ServerEvent.Pong(1)), null, null, asOf);
		this.hub.deliver(new Envelope(new ServerEvent.Pong(2)), null, earlySession.id(), this.hub.stamp());
		assertThat(early.events()).containsExactly(new ServerEvent.Pong(1), new ServerEvent.Pong(2));
		assertThat(late.events()).isEmpty();
	}

	/**
	 * In a room larger than {@code chat.session.fan-out-above} the fan-out pool starts the writes; each
	 * member still gets the broadcast exactly once, and before what is sent to it next (the
	 * sender's answer to its next command, say), though the delivering thread returns before the
	 * writes have started.
	 */
	@Test
	void aBroadcastToALargeRoomReachesEveryMemberOnceAndBeforeWhatIsSentToThemNext() throws InterruptedException {
		Hub large = Hub.withFanOut(2, 1024);
		try {
			int members = 1024 + Hub.CHUNK + 7;
			Envelope chat = new Envelope(new ServerEvent.Chat("alice", "hi", 1, null));
			CountDownLatch reached = new CountDownLatch(members - 1);
			List<RecordingConnection> connections = new ArrayList<>();
			List<ChatSession> sessions = new ArrayList<>();
			for (int i = 0; i < members; i++) {
				RecordingConnection connection = new RecordingConnection();
				connection.onSend((envelope) -> {
					if (envelope == chat) {
						reached.countDown();
					}
				});
				ChatSession session = new ChatSession("member-" + i, connection, 0, new RateLimiter(20, 40, 0));
				session.markJoined(large.add(session));
				connections.add(connection);
				sessions.add(session);
			}
			ChatSession sender = sessions.get(0);
			large.deliver(chat, sender.id(), null, large.stamp());
			Envelope answer = new Envelope(new ServerEvent.Pong(2));
			for (ChatSession session : sessions.subList(1, 40)) {
				large.deliver(answer, null, session.id(), large.stamp());
			}
			assertThat(reached.await(30, TimeUnit.SECONDS)).as("every member but the sender got the chat").isTrue();
			assertThat(connections.get(0).envelopes()).isEmpty();
			for (int i = 1; i < members; i++) {
				assertThat(connections.get(i).envelopes()).as("member %d", i)
					.containsExactlyElementsOf((i < 40) ? List.of(chat, answer) : List.of(chat));
			}
		}
		finally {
			large.close();
		}
	}

	private ChatSession join(RecordingConnection connection, String name) {
		ChatSession session = new ChatSession(name, connection, 0, new RateLimiter(20, 40, 0));
		session.markJoined(this.hub.add(session));
		return session;
	}

	private static ChatSession session(String id) {
		return new ChatSession(id, new RecordingConnection(), 0, new RateLimiter(20, 40, 0));
	}

}
