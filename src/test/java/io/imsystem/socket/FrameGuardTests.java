package io.imsystem.socket;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.Extension;
import org.apache.tomcat.websocket.MessagePart;
import org.apache.tomcat.websocket.Transformation;
import org.apache.tomcat.websocket.TransformationResult;
import org.apache.tomcat.websocket.WsSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import io.imsystem.session.RateLimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The frames {@link FrameGuard} counts against the session's rate limit (20 a second, bursts of 40
 * here), as Tomcat shows them to it: a header, then the payload in one or more pieces.
 */
class FrameGuardTests {

	private static final byte CONTINUATION = 0x0;

	private static final byte TEXT = 0x1;

	private static final byte PING = 0x9;

	private static final byte PONG = 0xA;

	private final WsSession session = mock(WsSession.class);

	private final ScheduledExecutorService resumer = mock(ScheduledExecutorService.class);

	private final Payload next = new Payload();

	private final FrameGuard guard = new FrameGuard(null);

	@BeforeEach
	void attach() {
		given(this.session.isOpen()).willReturn(true);
		this.guard.setNext(this.next);
		this.guard.attach(this.session, mock(WebSocketConnection.class), new RateLimiter(20, 40, 0),
				Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), this.resumer);
	}

	@Test
	void emptyContinuationFramesCountAndPauseReadingPastTheBurst() throws Exception {
		frame(TEXT, false, 0);
		for (int i = 1; i < 40; i++) {
			frame(CONTINUATION, false, 0);
		}
		verify(this.session, never()).suspend();

		frame(CONTINUATION, false, 0);

		verify(this.session).suspend();
		ArgumentCaptor<Runnable> resume = ArgumentCaptor.forClass(Runnable.class);
		// One token comes back every 50 ms.
		verify(this.resumer).schedule(resume.capture(), eq(50L), eq(TimeUnit.MILLISECONDS));
		resume.getValue().run();
		verify(this.session).resume();
	}

	@Test
	void pingsAndPongsCount() throws Exception {
		for (int i = 0; i < 20; i++) {
			frame(PING, true, 1);
			frame(PONG, true, 0);
		}
		verify(this.session, never()).suspend();

		frame(PING, true, 0);

		verify(this.session).suspend();
	}

	@Test
	void framesWithPayloadOrFinalAreLeftToTheChat() throws Exception {
		for (int i = 0; i < 100; i++) {
			frame(TEXT, true, 0);
			// A message in pieces: Tomcat hands a frame's payload over as it arrives.
			frame(TEXT, false, 3, 2);
			frame(CONTINUATION, true, 0);
		}
		verify(this.session, never()).suspend();
		verify(this.resumer, never()).schedule(any(Runnable.class), anyLong(), any());
	}

	/** A frame as Tomcat reads it: the header, then the payload in pieces of the given sizes. */
	private void frame(byte opCode, boolean fin, int... pieces) throws Exception {
		assertThat(this.guard.validateRsv(0, opCode)).isTrue();
		ByteBuffer dest = ByteBuffer.allocate(125);
		for (int i = 0; i < pieces.length; i++) {
			this.next.bytes = pieces[i];
			this.next.last = (i == pieces.length - 1);
			this.guard.getMoreData(opCode, fin, 0, dest);
		}
	}

	/** The end of the chain: writes the next piece of payload, then says whether the frame ended. */
	private static final class Payload implements Transformation {

		int bytes;

		boolean last;

		@Override
		public void setNext(Transformation t) {
		}

		@Override
		public boolean validateRsvBits(int i) {
			return true;
		}

		@Override
		public Extension getExtensionResponse() {
			return null;
		}

		@Override
		public TransformationResult getMoreData(byte opCode, boolean fin, int rsv, ByteBuffer dest) {
			dest.put(new byte[this.bytes]);
			return this.last ? TransformationResult.END_OF_FRAME : TransformationResult.UNDERFLOW;
		}

		@Override
		public boolean validateRsv(int rsv, byte opCode) {
			return rsv == 0;
		}

		@Override
		public List<MessagePart> sendMessagePart(List<MessagePart> messageParts) {
			return messageParts;
		}

		@Override
		public void close() {
		}

	}

}
