package io.imsystem.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.Extension;
import org.apache.tomcat.websocket.MessagePart;
import org.apache.tomcat.websocket.Transformation;
import org.apache.tomcat.websocket.TransformationResult;
import org.apache.tomcat.websocket.WsSession;

import io.imsystem.session.RateLimiter;

/**
 * Sees every frame of one WebSocket connection, which the Jakarta API does not show: Tomcat answers
 * pings itself and drops empty continuation frames without telling the endpoint. It sits at the
 * head of Tomcat's transformation chain (the place of extensions such as permessage-deflate, which
 * it passes everything to), where Tomcat (11.0.22) calls it:
 * <ul>
 * <li>{@link #validateRsv} once per incoming frame header ({@code WsFrameBase.processInitialHeader}):
 * pings and pongs are counted there against the session's rate limit, and a close turns the
 * connection's batching off before Tomcat answers it ({@link WebSocketConnection#peerClosed});</li>
 * <li>{@link #getMoreData} for each piece of a frame's payload: a data frame that is not final and
 * ends with no payload is counted too (a peer can send millions a second, and nothing else sees
 * them);</li>
 * <li>{@link #sendMessagePart} for every outgoing frame, on the sending thread, before Tomcat takes
 * its write lock: the blocking flush that turning batching off starts, once a client's close has
 * been read, is replaced by a non-blocking one ({@link WebSocketConnection#flushForClose}), and the
 * pong Tomcat sends for a ping ({@code WsFrameBase.processDataControl} calls
 * {@code getBasicRemote().sendPong}, a blocking write bounded only by the session's blocking send
 * timeout) is taken out here and handed to the connection's one sender instead.</li>
 * </ul>
 * A frame over the rate limit is not answered, and the connection is not read again until the
 * bucket has a token: a flood then costs nothing but the peer's own TCP window. A ping whose pong
 * must wait for a write in flight stops reading until the pong is written: only the latest ping is
 * answered (RFC 6455 5.5.3), and nothing piles up.
 */
final class FrameGuard implements Transformation {

	/** Endpoint config user property: the guard of the connection being opened. */
	static final String KEY = "chat.frameGuard";

	private static final byte OPCODE_CONTINUATION = 0x0;

	private static final byte OPCODE_TEXT = 0x1;

	private static final byte OPCODE_BINARY = 0x2;

	private static final byte OPCODE_CLOSE = 0x8;

	private static final byte OPCODE_PING = 0x9;

	private static final byte OPCODE_PONG = 0xA;

	/** Tomcat's opcode for the flush of a batch ({@code Constants.INTERNAL_OPCODE_FLUSH}). */
	private static final byte OPCODE_FLUSH = 0x18;

	/** A message part's blocking write expiry when it is a non-blocking send. */
	private static final long NON_BLOCKING = -1;

	/** The negotiated extensions' chain, or {@code null}. */
	private final Transformation extensions;

	private Transformation next;

	// Set once by attach(), on the thread that opens the session, before Tomcat reads from it.

	private volatile WsSession session;

	private volatile WebSocketConnection connection;

	private volatile RateLimiter limiter;

	private volatile Clock clock;

	private volatile ScheduledExecutorService resumer;

	// Touched only by the thread reading the connection (Tomcat reads one connection at a time).

	/** Payload bytes of the frame being read so far. */
	private long frameBytes;

	/** Whether the frame being read was over the rate limit. */
	private boolean dropped;

	// Why reading is paused, guarded by this.

	private boolean pausedForToken;

	private boolean pausedForPong;

	FrameGuard(Transformation extensions) {
		this.extensions = extensions;
	}

	/** Starts counting and guarding, once the connection's session and sender exist. */
	void attach(WsSession session, WebSocketConnection connection, RateLimiter limiter, Clock clock,
			ScheduledExecutorService resumer) {
		this.session = session;
		this.connection = connection;
		this.clock = clock;
		this.resumer = resumer;
		this.limiter = limiter;
	}

	@Override
	public void setNext(Transformation t) {
		// Tomcat appends its unmasking transformation to the head of the chain, which is this.
		if (this.extensions != null) {
			this.extensions.setNext(t);
			this.next = this.extensions;
		}
		else {
			this.next = t;
		}
	}

	@Override
	public boolean validateRsvBits(int i) {
		return this.next.validateRsvBits(i);
	}

	@Override
	public Extension getExtensionResponse() {
		return (this.extensions != null) ? this.extensions.getExtensionResponse() : null;
	}

	@Override
	public boolean validateRsv(int rsv, byte opCode) {
		this.frameBytes = 0;
		this.dropped = false;
		if (opCode == OPCODE_PING || opCode == OPCODE_PONG) {
			count();
		}
		else if (opCode == OPCODE_CLOSE) {
			WebSocketConnection connection = this.connection;
			if (connection != null) {
				// Before Tomcat answers it: its close must not race a frame of ours.
				connection.peerClosed();
			}
		}
		return this.next.validateRsv(rsv, opCode);
	}

	@Override
	public TransformationResult getMoreData(byte opCode, boolean fin, int rsv, ByteBuffer dest) throws IOException {
		int before = dest.position();
		TransformationResult result = this.next.getMoreData(opCode, fin, rsv, dest);
		this.frameBytes += dest.position() - before;
		if (result == TransformationResult.END_OF_FRAME && !fin && this.frameBytes == 0
				&& (opCode == OPCODE_CONTINUATION || opCode == OPCODE_TEXT || opCode == OPCODE_BINARY)) {
			count();
		}
		return result;
	}

	@Override
	public List<MessagePart> sendMessagePart(List<MessagePart> messageParts) throws IOException {
		WebSocketConnection connection = this.connection;
		if (connection != null && messageParts.size() == 1 && messageParts.get(0).getOpCode() == OPCODE_FLUSH
				&& messageParts.get(0).getBlockingWriteTimeoutExpiry() != NON_BLOCKING && connection.isPeerClosed()) {
			// The blocking flush that turning batching off starts, on the reading thread: it would
			// wait, holding the socket's lock, for a write that needs that lock. A non-blocking
			// flush behind the write in flight takes its place.
			connection.flushForClose();
			return List.of();
		}
		if (connection == null || messageParts.size() != 1 || messageParts.get(0).getOpCode() != OPCODE_PONG
				|| connection.isOwnPong(messageParts.get(0).getPayload())) {
			return this.next.sendMessagePart(messageParts);
		}
		// Tomcat's answer to the ping just read, on the reading thread. Returning no part makes
		// Tomcat skip the write (WsRemoteEndpointImplBase.sendMessageBlockInternal).
		if (!this.dropped) {
			ByteBuffer payload = messageParts.get(0).getPayload();
			// Tomcat reuses the buffer for the next control frame.
			ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
			pause(true, false);
			connection.answerPing(copy, () -> resume(true, false));
		}
		return List.of();
	}

	@Override
	public void close() {
		this.next.close();
	}

	private void count() {
		RateLimiter limiter = this.limiter;
		if (limiter == null) {
			return;
		}
		long now = this.clock.millis();
		if (!limiter.tryAcquire(now)) {
			this.dropped = true;
			pause(false, true);
			this.resumer.schedule(() -> resume(false, true), limiter.millisUntilToken(now), TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Stops reading after the frame being read. Tomcat's suspension only takes effect between
	 * frames, and a resume that comes first simply cancels it.
	 */
	private synchronized void pause(boolean forPong, boolean forToken) {
		boolean wasPaused = this.pausedForPong || this.pausedForToken;
		this.pausedForPong |= forPong;
		this.pausedForToken |= forToken;
		if (!wasPaused) {
			this.session.suspend();
		}
	}

	private synchronized void resume(boolean forPong, boolean forToken) {
		boolean wasPaused = this.pausedForPong || this.pausedForToken;
		if (forPong) {
			this.pausedForPong = false;
		}
		if (forToken) {
			this.pausedForToken = false;
		}
		if (wasPaused && !this.pausedForPong && !this.pausedForToken && this.session.isOpen()) {
			this.session.resume();
		}
	}

}
