package io.imsystem.socket;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.apache.tomcat.websocket.TomcatSends;
import org.apache.tomcat.websocket.WsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.Connection;
import io.imsystem.session.SendBudget;

/**
 * The one sender of a WebSocket session. Callers only enqueue; frames go out one at a time, in
 * order, through the container's non-blocking send, so no caller's thread ever waits on a client.
 * Frames are batched: the container copies each into the session's output buffer and writes the
 * buffer when it is full or when the queue is empty (an asynchronous flush), so a burst costs one
 * socket write per buffer instead of one write and one completion hand-off per frame.
 * A client that lets more than {@code bufferSizeLimit} bytes pile up, or whose write does not
 * finish within the container's send timeout, is reported as slow.
 */
final class WebSocketConnection implements Connection {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketConnection.class);

	/** Tomcat's bound on blocking writes (close and ping frames), per session, in milliseconds. */
	static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/**
	 * Tomcat's bound on writing a close frame with any code but 1000: 50 ms unless set. Too short
	 * for our own closes (a kick's 4408, a shutdown's 1001) when thousands end at once: a GC pause
	 * or a busy core is enough, and then the client sees 1006 after its {@code kicked} event
	 * (measured: 1 silent client in 10,000 of the idle benchmark, in 2 runs of 5). So our closes
	 * raise it to the send time limit just before they start. It must stay short for the closes
	 * Tomcat starts itself (echoing a client's close, or after a read error): on the thread that
	 * holds the socket, Tomcat spins for up to this long while a frame to that client is still in
	 * flight; at 10 s, 1,000 clients dropping at once kept 200 threads spinning and a SIGTERM
	 * waiting for more than 10 s.
	 */
	static final String CLOSE_SEND_TIMEOUT = "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

	/**
	 * The bound on the blocking write of a pong, set as the session's {@link #BLOCKING_SEND_TIMEOUT}
	 * for that write only. Tomcat has no non-blocking send for control frames: a pong is written on
	 * the thread that asks, holding it until the bytes are in the kernel's buffer or this time
	 * passes; then Tomcat closes the connection (1001). Ours are written only when no other write is
	 * in flight, so they wait only when the kernel's buffer to the client is full: a client that
	 * does not read. At the send time limit (10 s) every pong to such a client held a Tomcat thread
	 * that long, and 200 of them stalled the whole server.
	 * <p>
	 * Only for the pong: the session keeps the send time limit for Tomcat's own blocking writes (the
	 * echo of a client's close waits for a message in flight). Set for the whole session, 250 ms
	 * let Tomcat close a session in the middle of a message under load: the client read a garbled
	 * frame, or the rest of the message failed on a Tomcat thread (ConcurrencyStressIntegrationTests,
	 * about one full-suite run in four).
	 */
	static final long CONTROL_SEND_MILLIS = 250;

	/** How long an aborting close may try to write its close frame before the socket is closed. */
	private static final long ABORT_SEND_MILLIS = 100;

	private final Session session;

	private final RemoteEndpoint.Async remote;

	private final String remoteAddress;


	/** {@code chat.session.send-time-limit} in milliseconds: also the bound on our close frames. */
	private final long sendTimeLimitMillis;

	private final Executor closer;

	private final Runnable onSlow;

	/** Set once the client has been reported slow: the report is made once. */
	private final AtomicBoolean slowReported = new AtomicBoolean();

	/** Frames ({@link JsonEncoding.Frame}) and at most one {@link CloseCode}, which ends the queue. */
	private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();

	/** What waits unsent for this client, against {@code chat.session.buffer-size-limit}. */
	private final SendBudget budget;

	/** Held by whoever has a frame in flight or is taking the next one; the close marker keeps it. */
	private final AtomicBoolean writing = new AtomicBoolean();

	private volatile boolean closing;

	/**
	 * Held from the check of {@link #stopped} until Tomcat has taken a frame (or a flush, ping or
	 * pong) in hand, and while batching is turned off: whether batching is on decides where a
	 * frame's bytes go, so it must not change in between. Tomcat begins each close by turning
	 * batching off ({@code WsSession.onClose} and {@code doClose} call
	 * {@code setBatchingAllowed(false)}), and only then waits for the write in flight to flush the
	 * batch. A frame our sending thread started in between (while the reading thread answered the
	 * client's close) saw batching off and went to the socket directly, ahead of the bytes still in
	 * the batch, which the flush then wrote after it: the client read a chat cut where Tomcat's
	 * 512-byte output buffer ended, then the next chat's header (then the cut chat's rest).
	 */
	private final Object starts = new Object();

	/**
	 * Set, under {@link #starts}, before our own closes call Tomcat's: from then on no write
	 * starts.
	 */
	private boolean stopped;

	/** Set, under {@link #starts}, once the client's close frame has been read ({@link #peerClosed}). */
	private volatile boolean peerClosed;

	/** Set while a thread is inside {@code sendText}, to spot a send that completed on that thread. */
	private volatile Thread sendingThread;

	private volatile boolean completedInline;

	private volatile int inFlightBytes;

	/** The frame being written, to tell the budget which one is out. */
	private volatile JsonEncoding.Frame inFlightFrame;


	/** Whether to batch: the asynchronous flush it needs is Tomcat's ({@link TomcatSends}). */
	private final boolean batching;

	/**
	 * Frames larger than this many bytes are written in one piece past the batch rather than
	 * through it, in parts of its size ({@link TomcatSends#sendTextDirect}); none when not
	 * batching, or when an extension (compression) must transform every frame.
	 */
	private final int directAbove;

	/**
	 * A frame taken from the queue that waits for the batch's flush to finish before it is written
	 * past it. Taken up by whoever holds {@link #writing}; dropped, like the queue, by an abort.
	 */
	private volatile JsonEncoding.Frame deferred;

	/**
	 * Whether frames went into the container's batch since its last flush. Read and written only
	 * by whoever holds {@link #writing}, whose hand-over orders it.
	 */
	private boolean unflushed;

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	private final AtomicBoolean closeStarted = new AtomicBoolean();

	/**
	 * The answer to the latest ping, waiting for the writing slot, and what to run once it is
	 * written or dropped. One at most: a newer ping replaces it (RFC 6455 5.5.3).
	 */
	private final AtomicReference<PendingPong> pendingPong = new AtomicReference<>();

	/** The payload of the pong being written, which the {@link FrameGuard} lets through. */
	private volatile ByteBuffer pongInFlight;

	/** When the unanswered heartbeat ping went out, or 0 when none is outstanding. */
	private volatile long pingSentAt;

	WebSocketConnection(Session session, String remoteAddress, long bufferSizeLimit, long sendTimeLimitMillis,
			Executor closer, Runnable onSlow) {
		this.session = session;
		this.remote = session.getAsyncRemote();
		this.remoteAddress = remoteAddress;
		this.budget = new SendBudget(bufferSizeLimit);
		this.sendTimeLimitMillis = sendTimeLimitMillis;
		this.closer = closer;
		this.onSlow = onSlow;
		this.batching = batch(this.remote);
		this.directAbove = (this.batching && session.getNegotiatedExtensions().isEmpty()) ? TomcatSends.batchCapacity()
				: Integer.MAX_VALUE;
	}

	private static boolean batch(RemoteEndpoint.Async remote) {
		if (!TomcatSends.supports(remote)) {
			return false;
		}
		try {
			remote.setBatchingAllowed(true);
			return true;
		}
		catch (IOException ex) {
			// Only turning batching off flushes (and can fail); turning it on cannot.
			return false;
		}
	}

	@Override
	public String remoteAddress() {
		return this.remoteAddress;
	}

	@Override
	public void send(Envelope envelope) {
		if (enqueue(envelope)) {
			drain();
		}
	}

	@Override
	public void hold(Envelope envelope) {
		enqueue(envelope);
	}

	@Override
	public void flush() {
		drain();
	}

	private boolean enqueue(Envelope envelope) {
		if (envelope.event() instanceof ServerEvent.Chats chats) {
			// A frame per chat, exactly as if each had come alone.
			boolean queued = false;
			for (Envelope part : chats.parts()) {
				if (!enqueue(part)) {
					return queued;
				}
				queued = true;
			}
			return queued;
		}
		if (this.closing || this.slowReported.get()) {
			// Closing, or about to be kicked as slow: nothing more goes out, so it has no gaps.
			return false;
		}
		JsonEncoding.Frame frame = envelope.encoded(JsonEncoding.INSTANCE);
		if (!this.budget.take(frame, frame.bytes(), envelope.event())) {
			reportSlow();
			return false;
		}
		this.queue.add(frame);
		return true;
	}

	@Override
	public void close(CloseCode code) {
		if (!this.closing) {
			this.queue.add(code);
			this.closing = true;
			drain();
		}
	}

	@Override
	public void abort(CloseCode code) {
		if (!this.closing) {
			this.closing = true;
		}
		this.queue.clear();
		this.deferred = null;
		this.writing.set(true);
		closeSession(code, true);
	}

	@Override
	public CompletableFuture<Void> closed() {
		return this.closed;
	}

	/**
	 * Sends a heartbeat ping, unless a frame is being written: then the client is busy reading and
	 * the next round pings it. Never blocks on a client that has room in its socket buffer, which
	 * one with no write in flight always has.
	 * @return whether a ping went out
	 */
	boolean ping(long now) {
		if (this.closing || !this.writing.compareAndSet(false, true)) {
			return false;
		}
		if (this.pingSentAt == 0) {
			// Before sending: the pong can arrive before sendPing returns. The oldest unanswered
			// ping is the one that counts.
			this.pingSentAt = now;
		}
		try {
			synchronized (this.starts) {
				if (this.stopped) {
					return false;
				}
				this.remote.sendPing(ByteBuffer.allocate(0));
			}
			// Batched like any frame (the buffer was empty: every drain ends with a flush); the
			// drain below flushes it.
			this.unflushed = this.batching;
			return true;
		}
		catch (IOException | RuntimeException ex) {
			failed(ex);
			return false;
		}
		finally {
			if (!this.closing) {
				this.writing.set(false);
				drain();
			}
		}
	}

	void pong() {
		this.pingSentAt = 0;
	}

	/**
	 * Answers a ping with a pong of {@code payload}, now if nothing is being written, else as soon
	 * as the write in flight is done, in either case without waiting for it. {@code done} runs once
	 * the pong is written, replaced by a newer one, or dropped because the connection is closing.
	 */
	void answerPing(ByteBuffer payload, Runnable done) {
		PendingPong previous = this.pendingPong.getAndSet(new PendingPong(payload, done));
		if (previous != null) {
			previous.done().run();
		}
		if (this.closing) {
			dropPendingPong();
			return;
		}
		drain();
	}

	/**
	 * The client's close frame is being read, on the thread that reads the connection, before
	 * Tomcat answers it. Tomcat's answer begins by turning batching off, which flushes the batch;
	 * done by Tomcat, that raced our sender (see {@link #starts}). So it is done here, while no
	 * write is being started: batching goes off, and the batch is flushed behind the write in
	 * flight ({@link #flushForClose}). What was queued before the close still goes out, each frame
	 * written whole after the batch, and then Tomcat's close frame; nothing new is queued. Waits
	 * only for a write being started to be in Tomcat's hands (none of them needs the socket's lock,
	 * which this thread holds), or for a pong being written ({@link #CONTROL_SEND_MILLIS} at most).
	 */
	void peerClosed() {
		this.closing = true;
		synchronized (this.starts) {
			this.peerClosed = true;
			if (this.batching) {
				try {
					// FrameGuard turns the blocking flush this starts into flushForClose.
					this.remote.setBatchingAllowed(false);
				}
				catch (IOException ex) {
					logger.debug("Flush before the close of {} failed", this.remoteAddress, ex);
				}
			}
		}
		dropPendingPong();
		this.closed.complete(null);
	}

	boolean isPeerClosed() {
		return this.peerClosed;
	}

	/**
	 * Starts writing what Tomcat's batch holds, behind the write in flight if there is one, in
	 * place of the blocking flush that turning batching off starts ({@link #peerClosed}). That flush
	 * runs on the reading thread, which holds the socket's lock, and waits for the write in flight,
	 * which cannot go on without that lock (with the connector's asynchronous writes off, the next
	 * part of a write is written on a thread that takes the lock): the client got no answer to its
	 * close until the send time limit, and was then dropped as too slow. Queued behind the write in
	 * flight (Tomcat writes queued parts in order as each write ends), this flush goes out before
	 * any later frame and before Tomcat's close frame, whose wait lets go of the socket's lock.
	 */
	void flushForClose() {
		if (this.batching) {
			TomcatSends.flush(this.remote, (result) -> {
				if (!result.isOK()) {
					logger.debug("Flush before the close of {} failed", this.remoteAddress, result.getException());
				}
			});
		}
	}

	private void stop() {
		synchronized (this.starts) {
			this.stopped = true;
		}
	}

	boolean isOwnPong(ByteBuffer payload) {
		return payload == this.pongInFlight;
	}

	/** Whether a ping has gone unanswered for at least {@code timeoutMillis}. */
	boolean isDead(long now, long timeoutMillis) {
		long sentAt = this.pingSentAt;
		return sentAt != 0 && now - sentAt >= timeoutMillis;
	}

	private void drain() {
		while (this.writing.compareAndSet(false, true)) {
			PendingPong pong = this.pendingPong.getAndSet(null);
			if (pong != null && !writePong(pong)) {
				return;
			}
			Object next = this.deferred;
			if (next != null) {
				this.deferred = null;
			}
			else {
				next = this.queue.poll();
			}
			if (next instanceof JsonEncoding.Frame large && large.bytes() > this.directAbove) {
				boolean flushFirst = this.unflushed;
				if (flushFirst) {
					// The batch goes first; the frame is taken up again once that flush is done.
					this.deferred = large;
				}
				if (!write(flushFirst ? null : large, !flushFirst)) {
					return;
				}
				continue;
			}
			if (next == null) {
				if (this.unflushed) {
					// The queue is empty: write out what the batch holds before letting go.
					if (!write(null, false)) {
						return;
					}
					continue;
				}
				this.writing.set(false);
				if (this.queue.isEmpty() && this.pendingPong.get() == null) {
					return;
				}
				continue;
			}
			if (next instanceof CloseCode code) {
				// Everything before the close has been handed over (Tomcat flushes its batch before
				// the close frame); "writing" stays held for good.
				closeSession(code, false);
				return;
			}
			if (!write((JsonEncoding.Frame) next, false)) {
				return;
			}
		}
	}

	/**
	 * Starts sending {@code frame}, or flushing the batch when it is {@code null}.
	 * @param pastBatch whether to write the frame in one piece past the batch, which must be empty
	 * ({@link TomcatSends#sendTextDirect}; through the batch after all if Tomcat is writing a frame
	 * of its own)
	 * @return whether it completed inside the call (the writing slot is free again and the drain
	 * loop goes on); otherwise the completion callback continues the drain on the container's thread
	 */
	private boolean write(JsonEncoding.Frame frame, boolean pastBatch) {
		if (frame == null) {
			this.unflushed = false;
		}
		// What the budget lets go of once it is written; a flush holds no frame of its own.
		this.inFlightBytes = (frame != null) ? frame.bytes() : 0;
		this.inFlightFrame = frame;
		this.completedInline = false;
		this.sendingThread = Thread.currentThread();
		try {
			synchronized (this.starts) {
				if (this.stopped) {
					// Tomcat is closing the session: the writing slot stays held for good.
					this.sendingThread = null;
					return false;
				}
				if (frame == null) {
					TomcatSends.flush(this.remote, this::sent);
				}
				else if (pastBatch) {
					if (!TomcatSends.sendTextDirect(this.remote, frame.utf8Buffer(), this::sent)) {
						this.unflushed = true;
						TomcatSends.sendText(this.remote, frame.utf8Buffer(), this::sent);
					}
				}
				else {
					// Before the call: its completion may run the next drain on another thread.
					this.unflushed = this.batching;
					if (this.batching) {
						// Tomcat's endpoint (batching needs it): the bytes encoded once for all recipients.
						TomcatSends.sendText(this.remote, frame.utf8Buffer(), this::sent);
					}
					else {
						this.remote.sendText(frame.text(), this::sent);
					}
				}
			}
		}
		catch (RuntimeException ex) {
			this.sendingThread = null;
			failed(ex);
			return false;
		}
		this.sendingThread = null;
		return this.completedInline;
	}

	/**
	 * Writes a pong while holding the writing slot, so Tomcat's write lock is free and only a full
	 * kernel buffer can make it wait (for {@link #CONTROL_SEND_MILLIS} at most).
	 * @return {@code false} if it failed and the connection is closing
	 */
	private boolean writePong(PendingPong pong) {
		this.pongInFlight = pong.payload();
		Map<String, Object> properties = this.session.getUserProperties();
		properties.put(BLOCKING_SEND_TIMEOUT, CONTROL_SEND_MILLIS);
		try {
			synchronized (this.starts) {
				// Blocking, for CONTROL_SEND_MILLIS at most: as long as peerClosed may wait for it.
				if (this.stopped) {
					return false;
				}
				this.session.getBasicRemote().sendPong(pong.payload());
				if (this.batching) {
					// Batched, the pong would only be copied into the output buffer, and a client that
					// never reads would hold its flush, and this connection, for the whole send time
					// limit: the pong (and any frame batched before it) is flushed under the same bound.
					this.session.getBasicRemote().flushBatch();
					this.unflushed = false;
				}
			}
			return true;
		}
		catch (IOException | RuntimeException ex) {
			// Tomcat has closed the session already (1001) if the write timed out.
			failed(ex);
			return false;
		}
		finally {
			properties.put(BLOCKING_SEND_TIMEOUT, this.sendTimeLimitMillis);
			this.pongInFlight = null;
			pong.done().run();
		}
	}

	private void dropPendingPong() {
		PendingPong pong = this.pendingPong.getAndSet(null);
		if (pong != null) {
			pong.done().run();
		}
	}

	private void sent(SendResult result) {
		JsonEncoding.Frame written = this.inFlightFrame;
		this.inFlightFrame = null;
		this.budget.written(this.inFlightBytes, written);
		if (!result.isOK()) {
			failed(result.getException());
			return;
		}
		if (Thread.currentThread() == this.sendingThread) {
			// Completed inside sendText: let the loop in drain() go on, rather than recursing.
			this.completedInline = true;
			this.writing.set(false);
			return;
		}
		this.writing.set(false);
		drain();
	}

	private void failed(Throwable failure) {
		this.closing = true;
		this.queue.clear();
		this.deferred = null;
		dropPendingPong();
		if (failure instanceof SocketTimeoutException) {
			// The send time limit passed: a client that does not read.
			reportSlow();
			closeSession(CloseCode.TOO_SLOW, true);
		}
		else if (failure instanceof EOFException) {
			// Tomcat is closing the connection itself, for example after a protocol error: it fails
			// the write in flight this way just before it sends its own close frame (1002, 1007,
			// 1009). A close of ours would race it and could put 1011, or nothing, on the wire.
			logger.debug("Send to {} cut short: the container is closing the connection", this.remoteAddress);
			this.closed.complete(null);
		}
		else {
			logger.debug("Send to {} failed", this.remoteAddress, failure);
			closeSession(null, true);
		}
	}

	/**
	 * Reports the client slow, once, on the closer thread. The caller is usually a broadcast that
	 * still has recipients to serve, and the kick costs a presence leave to everyone, a kick record
	 * and a log line: done inline it held up every recipient after this one (readers' p99 rose by
	 * 2-11 ms while ten slow clients were kicked; docs/benchmarks.md). Until the kick, frames for
	 * this client are dropped, which is all it would have got anyway.
	 */
	private void reportSlow() {
		if (this.slowReported.compareAndSet(false, true)) {
			this.closer.execute(this.onSlow);
		}
	}

	/**
	 * Closes on the closer thread, since writing the close frame can block on a client that does
	 * not read. An abort also closes the TCP connection at once instead of waiting for the client's
	 * answering close frame, which a dead or stuck client never sends.
	 */
	private void closeSession(CloseCode code, boolean abort) {
		if (!this.closeStarted.compareAndSet(false, true)) {
			return;
		}
		dropPendingPong();
		CloseReason reason = closeReason((code != null) ? code : CloseCode.SEND_FAILED);
		this.closer.execute(() -> {
			// Tomcat's close turns batching off before it flushes: no frame may start after it.
			stop();
			try {
				if (abort && this.session instanceof WsSession tomcat) {
					// A stuck client would hold a closer thread for the whole send time limit.
					tomcat.getUserProperties().put(BLOCKING_SEND_TIMEOUT, ABORT_SEND_MILLIS);
					tomcat.getUserProperties().put(CLOSE_SEND_TIMEOUT, ABORT_SEND_MILLIS);
					tomcat.doClose(reason, reason, true);
				}
				else {
					this.session.getUserProperties().put(CLOSE_SEND_TIMEOUT, this.sendTimeLimitMillis);
					this.session.close(reason);
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Close of {} failed", this.remoteAddress, ex);
			}
			finally {
				this.closed.complete(null);
			}
		});
	}

	private record PendingPong(ByteBuffer payload, Runnable done) {
	}

	static CloseReason closeReason(CloseCode code) {
		return new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason());
	}

}
