package io.imsystem.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.session.Connection;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * The one sender of a WebSocket session. Callers only enqueue; frames go out one at a time, in
 * order, through the container's non-blocking send, so no caller's thread ever waits on a client.
 * A client that lets more than {@code bufferSizeLimit} bytes pile up, or whose write does not
 * finish within the container's send timeout, is reported as slow.
 */
final class WebSocketConnection implements Connection {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketConnection.class);

	private final WebSocketSession session;

	private final RemoteEndpoint.Async remote;

	private final String remoteAddress;

	private final long bufferSizeLimit;

	private final Executor closer;

	private final Runnable onSlow;

	/** Frames ({@link JsonEncoding.Frame}) and at most one {@link CloseCode}, which ends the queue. */
	private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();

	private final AtomicLong queuedBytes = new AtomicLong();

	/** Held by whoever has a frame in flight or is taking the next one; the close marker keeps it. */
	private final AtomicBoolean writing = new AtomicBoolean();

	private volatile boolean closing;

	/** Set while a thread is inside {@code sendText}, to spot a send that completed on that thread. */
	private volatile Thread sendingThread;

	private volatile boolean completedInline;

	private volatile int inFlightBytes;

	WebSocketConnection(WebSocketSession session, RemoteEndpoint.Async remote, long bufferSizeLimit, Executor closer,
			Runnable onSlow) {
		this.session = session;
		this.remote = remote;
		this.remoteAddress = format(session.getRemoteAddress());
		this.bufferSizeLimit = bufferSizeLimit;
		this.closer = closer;
		this.onSlow = onSlow;
	}

	@Override
	public String remoteAddress() {
		return this.remoteAddress;
	}

	@Override
	public void send(Envelope envelope) {
		if (this.closing) {
			return;
		}
		JsonEncoding.Frame frame = envelope.encoded(JsonEncoding.INSTANCE);
		if (this.queuedBytes.addAndGet(frame.bytes()) > this.bufferSizeLimit) {
			this.onSlow.run();
			return;
		}
		this.queue.add(frame);
		drain();
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
		this.writing.set(true);
		closeSession(code);
	}

	private void drain() {
		while (this.writing.compareAndSet(false, true)) {
			Object next = this.queue.poll();
			if (next == null) {
				this.writing.set(false);
				if (this.queue.isEmpty()) {
					return;
				}
				continue;
			}
			if (next instanceof CloseCode code) {
				// Everything before the close has been written; "writing" stays held for good.
				closeSession(code);
				return;
			}
			JsonEncoding.Frame frame = (JsonEncoding.Frame) next;
			this.inFlightBytes = frame.bytes();
			this.completedInline = false;
			this.sendingThread = Thread.currentThread();
			try {
				this.remote.sendText(frame.text(), this::sent);
			}
			catch (RuntimeException ex) {
				this.sendingThread = null;
				failed(ex);
				return;
			}
			this.sendingThread = null;
			if (!this.completedInline) {
				// The completion callback continues the drain on the container's thread.
				return;
			}
		}
	}

	private void sent(SendResult result) {
		this.queuedBytes.addAndGet(-this.inFlightBytes);
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
		if (failure instanceof SocketTimeoutException) {
			this.onSlow.run();
		}
		else {
			logger.debug("Send to {} failed", this.remoteAddress, failure);
			closeSession(null);
		}
	}

	private void closeSession(CloseCode code) {
		CloseStatus status = (code != null) ? new CloseStatus(code.code(), code.reason()) : CloseStatus.SERVER_ERROR;
		// Closing writes a close frame and can block on a client that does not read.
		this.closer.execute(() -> {
			try {
				this.session.close(status);
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Close of {} failed", this.remoteAddress, ex);
			}
		});
	}

	private static String format(InetSocketAddress address) {
		if (address == null) {
			return "unknown";
		}
		String host = (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
		return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
	}

}
