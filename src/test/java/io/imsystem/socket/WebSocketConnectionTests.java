package io.imsystem.socket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.support.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * How the per-session sender reacts when the container fails a write in flight. Tomcat fails it
 * with an {@link EOFException} when it closes the connection itself (a protocol error, a client's
 * close frame) and is about to send its own close frame: the sender must not race it with a close
 * of its own, which put 1011 or no close frame at all on the wire instead of 1002.
 */
class WebSocketConnectionTests {

	private final Session nativeSession = mock(Session.class);

	private final RemoteEndpoint.Async remote = mock(RemoteEndpoint.Async.class);

	private WebSocketConnection connection;

	@BeforeEach
	void connect() {
		given(this.nativeSession.getAsyncRemote()).willReturn(this.remote);
		this.connection = new WebSocketConnection(this.nativeSession, "127.0.0.1:50000", 1 << 20, 10_000, Runnable::run, () -> {
		});
	}

	@Test
	void aWriteCutShortByTheContainersOwnCloseDoesNotStartAnotherClose() throws IOException {
		SendHandler inFlight = sendOne();

		inFlight.onResult(new SendResult(new EOFException()));

		verify(this.nativeSession, never()).close(any());
		assertThat(this.connection.closed()).as("nothing left to wait for").isDone();
		this.connection.send(new Envelope(new ServerEvent.Pong(2)));
		verify(this.remote).sendText(anyString(), any());
	}

	@Test
	void aWriteThatFailsOnTheSocketClosesTheSession() throws IOException {
		SendHandler inFlight = sendOne();

		inFlight.onResult(new SendResult(new IOException("Broken pipe")));

		ArgumentCaptor<CloseReason> reason = ArgumentCaptor.forClass(CloseReason.class);
		verify(this.nativeSession).close(reason.capture());
		assertThat(reason.getValue().getCloseCode().getCode()).isEqualTo(1011);
		assertThat(this.connection.closed()).isDone();
	}

	/**
	 * Tomcat writes a close frame with any code but 1000 within 50 ms unless told otherwise; a
	 * kick's 4408 then sometimes never left, and the client saw 1006 after its {@code kicked}. Our
	 * own close raises that bound to the send time limit on the session, just before it starts;
	 * the closes Tomcat starts itself keep the short one (see WebSocketConnection).
	 */
	@Test
	void ourOwnCloseGivesItsCloseFrameTheSendTimeLimit() throws IOException {
		Map<String, Object> properties = new HashMap<>();
		given(this.nativeSession.getUserProperties()).willReturn(properties);
		willAnswer((invocation) -> {
			assertThat(properties).containsEntry(WebSocketConnection.CLOSE_SEND_TIMEOUT, 10_000L);
			return null;
		}).given(this.nativeSession).close(any(CloseReason.class));

		this.connection.close(CloseCode.IDLE_TIMEOUT);

		ArgumentCaptor<CloseReason> reason = ArgumentCaptor.forClass(CloseReason.class);
		verify(this.nativeSession).close(reason.capture());
		assertThat(reason.getValue().getCloseCode().getCode()).isEqualTo(4408);
		assertThat(this.connection.closed()).isDone();
	}

	/**
	 * The broadcast that finds a client over its buffer limit still has recipients to serve: the
	 * kick (a presence leave to everyone, a record, a log line) runs on the closer, once, and
	 * nothing more is queued for that client meanwhile.
	 */
	@Test
	void aClientOverItsLimitIsReportedSlowOnceAndOffTheCallersThread() {
		List<Runnable> closerTasks = new ArrayList<>();
		AtomicInteger reports = new AtomicInteger();
		WebSocketConnection small = new WebSocketConnection(this.nativeSession, "127.0.0.1:50001", 100, 10_000, closerTasks::add,
				reports::incrementAndGet);
		// The first frame goes out and stays in flight; the rest wait in the queue.
		Envelope frame = new Envelope(new ServerEvent.Pong(1));
		int bytes = frame.encoded(JsonEncoding.INSTANCE).bytes();
		for (int i = 0; i * bytes <= 100; i++) {
			small.send(frame);
		}
		assertThat(reports).as("not reported on the caller's thread").hasValue(0);
		small.send(frame);
		small.send(frame);
		assertThat(closerTasks).as("one report handed to the closer").hasSize(1);
		closerTasks.get(0).run();
		assertThat(reports).hasValue(1);
		verify(this.remote).sendText(anyString(), any());
	}

	/**
	 * A pong never waits on the reading thread for a write in flight: it is written once that
	 * write is done, and only the latest ping's (RFC 6455 5.5.3). {@code done} (which resumes
	 * reading) runs for each, written or replaced.
	 */
	@Test
	void aPongWaitsForTheWriteInFlightAndOnlyTheLatestIsSent() throws IOException {
		RemoteEndpoint.Basic basic = mock(RemoteEndpoint.Basic.class);
		given(this.nativeSession.getBasicRemote()).willReturn(basic);
		SendHandler inFlight = sendOne();
		AtomicInteger done = new AtomicInteger();

		this.connection.answerPing(ByteBuffer.wrap(new byte[] { 1 }), done::incrementAndGet);
		this.connection.answerPing(ByteBuffer.wrap(new byte[] { 2 }), done::incrementAndGet);

		verify(basic, never()).sendPong(any());
		assertThat(done).as("the first replaced").hasValue(1);
		inFlight.onResult(new SendResult(this.nativeSession));
		ArgumentCaptor<ByteBuffer> pong = ArgumentCaptor.forClass(ByteBuffer.class);
		verify(basic).sendPong(pong.capture());
		assertThat(pong.getValue().get(0)).isEqualTo((byte) 2);
		assertThat(done).hasValue(2);
	}

	@Test
	void aPongWithNothingInFlightIsWrittenAtOnce() throws IOException {
		RemoteEndpoint.Basic basic = mock(RemoteEndpoint.Basic.class);
		given(this.nativeSession.getBasicRemote()).willReturn(basic);
		AtomicInteger done = new AtomicInteger();

		this.connection.answerPing(ByteBuffer.wrap(new byte[] { 1 }), done::incrementAndGet);

		verify(basic).sendPong(any());
		assertThat(done).hasValue(1);
	}

	@Test
	void anAnswerToWhoLargerThanTheBufferLimitIsSentNotReportedSlow() {
		AtomicInteger slow = new AtomicInteger();
		List<SendHandler> handlers = new ArrayList<>();
		WebSocketConnection small = smallConnection(slow, handlers);

		small.send(users(100));
		small.send(new Envelope(new ServerEvent.Pong(1)));

		assertThat(slow).as("reported slow").hasValue(0);
		assertThat(handlers).as("frames handed to the container").hasSize(1);
		handlers.get(0).onResult(new SendResult(this.nativeSession));
		assertThat(handlers).as("the pong follows the answer").hasSize(2);
	}

	@Test
	void onlyOneUnsentAnswerIsExemptSoAClientAskingWithoutReadingIsStillSlow() {
		AtomicInteger slow = new AtomicInteger();
		List<SendHandler> handlers = new ArrayList<>();
		WebSocketConnection small = smallConnection(slow, handlers);

		small.send(users(100));
		small.send(users(100));

		assertThat(slow).as("reported slow").hasValue(1);
	}

	@Test
	void onceAnAnswerIsWrittenTheNextOneIsExemptAgain() {
		AtomicInteger slow = new AtomicInteger();
		List<SendHandler> handlers = new ArrayList<>();
		WebSocketConnection small = smallConnection(slow, handlers);

		small.send(users(100));
		handlers.get(0).onResult(new SendResult(this.nativeSession));
		small.send(users(100));

		assertThat(slow).as("reported slow").hasValue(0);
		assertThat(handlers).hasSize(2);
	}

	@Test
	void whatWasQueuedBeforeTheClientsCloseIsStillWrittenAndNothingAfter() {
		List<SendHandler> handlers = new ArrayList<>();
		List<String> written = new ArrayList<>();
		willAnswer((call) -> {
			written.add(call.getArgument(0));
			return handlers.add(call.getArgument(1));
		}).given(this.remote).sendText(anyString(), any());
		this.connection.send(new Envelope(new ServerEvent.Pong(1)));
		this.connection.send(new Envelope(new ServerEvent.Pong(2)));

		this.connection.peerClosed();
		this.connection.send(new Envelope(new ServerEvent.Pong(3)));
		handlers.get(0).onResult(new SendResult(this.nativeSession));

		// The answer to a request the client sent just before its close is not lost.
		assertThat(written).hasSize(2);
		assertThat(written.get(1)).contains("\"ts\":2");
		assertThat(this.connection.closed()).as("nothing left to wait for").isDone();
	}

	/**
	 * A connection with a 1,000-byte buffer limit that counts its slow reports and keeps the
	 * completion handler of each frame handed to the container, to complete it when the test says.
	 */
	private WebSocketConnection smallConnection(AtomicInteger slow, List<SendHandler> handlers) {
		willAnswer((call) -> handlers.add(call.getArgument(1))).given(this.remote).sendText(anyString(), any());
		return new WebSocketConnection(this.nativeSession, "127.0.0.1:50000", 1000, 10_000, Runnable::run,
				slow::incrementAndGet);
	}

	private static Envelope users(int count) {
		return new Envelope(TestEvents.users(count));
	}

	private SendHandler sendOne() {
		this.connection.send(new Envelope(new ServerEvent.Pong(1)));
		ArgumentCaptor<SendHandler> handler = ArgumentCaptor.forClass(SendHandler.class);
		verify(this.remote).sendText(anyString(), handler.capture());
		return handler.getValue();
	}

}
