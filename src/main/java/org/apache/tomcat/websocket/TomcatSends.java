package org.apache.tomcat.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;

/**
 * Two non-blocking sends that Tomcat has but does not expose: the flush of a batch of WebSocket
 * messages ({@code RemoteEndpoint.flushBatch()} blocks the caller until the bytes are in the
 * kernel's buffer, and a thread of ours must never wait on a client that does not read; Tomcat's
 * own {@code flushBatch} starts exactly this message and then waits for it), and a text message
 * whose UTF-8 bytes are ready.
 * <p>
 * In Tomcat's package because {@code startMessage} is package-private; the application and
 * Tomcat's jar share one class loader (plain class path or Spring Boot's nested jars), so the
 * package is the same at run time. {@link #supports} says whether this endpoint is Tomcat's.
 */
public final class TomcatSends {

	/**
	 * The endpoint's private {@code closed}: set when its close frame is written, under the message
	 * semaphore. {@code null} if this Tomcat has no such field: then nothing is written past the
	 * batch, and every message goes Tomcat's own way.
	 */
	private static final VarHandle CLOSED = closedFlag();

	private TomcatSends() {
	}

	/** Whether {@link #sendTextDirect} can write at all with this Tomcat (see {@link #CLOSED}). */
	static boolean writesPastTheBatch() {
		return CLOSED != null;
	}

	private static VarHandle closedFlag() {
		try {
			return MethodHandles.privateLookupIn(WsRemoteEndpointImplBase.class, MethodHandles.lookup())
				.findVarHandle(WsRemoteEndpointImplBase.class, "closed", boolean.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return null;
		}
	}

	public static boolean supports(RemoteEndpoint.Async remote) {
		return remote instanceof WsRemoteEndpointBase;
	}

	/**
	 * Sends a text message whose UTF-8 bytes are ready, as one message part: what Tomcat does for
	 * each 8 KiB part of a {@code sendText}, without encoding the text again for this session and
	 * without cutting it up. Tomcat's {@code sendText} splits a message into parts of its 8 KiB
	 * output buffer, and the completion of each part is handed to an executor before the next
	 * part starts: the 1.3 MB answer to a {@code who} in a room of 19,000 took 160 hand-offs and
	 * 0.7 to 1.5 s in a connect storm. Given the whole payload, Tomcat writes the frame header and
	 * the payload together, and waits only when the socket is full. (Tomcat's guard against an
	 * application that starts a message while another is in flight is skipped: our one sender per
	 * session never does.) The buffer must not change until {@code handler} has its result.
	 */
	public static void sendText(RemoteEndpoint.Async remote, ByteBuffer utf8, SendHandler handler) {
		((WsRemoteEndpointBase) remote).base.startMessage(Constants.OPCODE_TEXT, utf8, true, handler);
	}

	/**
	 * The size of the endpoint's batch buffer ({@code chat.websocket.buffer-size}): a message that
	 * does not fit is written through it in parts of this size, each part a socket write whose
	 * completion Tomcat hands to its executor before the next part is copied in.
	 */
	public static int batchCapacity() {
		return Constants.DEFAULT_BUFFER_SIZE;
	}

	/**
	 * Writes a whole text message whose UTF-8 bytes are ready straight to the socket, past the
	 * endpoint's batch buffer, which must be empty (flushed). With batching on, Tomcat copies every
	 * message through that buffer: at the default 512 bytes, the 1.3 MB answer to a {@code who} in
	 * a room of 19,000 was 2,600 socket writes, each completion a task queued for a thread before the
	 * next part (measured in a connect storm: up to 4 s for an 8 KB answer, 2.1 s for 1 MB; written
	 * this way, 14 to 74 ms). Here it is one gathering write of the header and the payload, which
	 * waits only when the socket is full.
	 * <p>
	 * It holds the endpoint's message semaphore as Tomcat's own sends do, so a control frame Tomcat
	 * writes meanwhile (a close) is queued behind it and follows it. The endpoint's batching is not
	 * turned off for it: Tomcat turns it off when it closes the session, and turning it back on could
	 * race that and leave the close frame in the batch.
	 * <p>
	 * Once the endpoint's close frame is written, it writes nothing: Tomcat refuses any message
	 * after its close frame (its {@code writeMessagePart} checks), and a write past it would not.
	 * Seen: a 765-byte chat written after the server's answer to a client's close (one fresh-clone
	 * run of {@code ClosingUnderBroadcastIntegrationTests}).
	 * @return {@code false} if a frame of Tomcat's own is being written, or the close frame was:
	 * nothing was started and {@code handler} will not be called; send it with {@link #sendText}
	 * instead, which queues it before a close frame still to come and refuses it after one
	 */
	public static boolean sendTextDirect(RemoteEndpoint.Async remote, ByteBuffer utf8, SendHandler handler) {
		WsRemoteEndpointImplBase base = ((WsRemoteEndpointBase) remote).base;
		if (CLOSED == null || !base.messagePartInProgress.tryAcquire()) {
			return false;
		}
		// Checked while holding the semaphore, which Tomcat holds to write its close frame and to
		// mark the endpoint closed: a close frame started from now on queues behind this frame.
		if ((boolean) CLOSED.getVolatile(base)) {
			// Lets go of the semaphore, or writes what Tomcat queued meanwhile.
			base.endMessage(null, null);
			return false;
		}
		// endMessage lets go of the semaphore (or writes a control frame queued meanwhile), then
		// calls the handler.
		base.doWrite((result) -> base.endMessage(handler, result), -1, header(utf8.remaining()), utf8);
		return true;
	}

	/** The header of a final, unmasked text frame of {@code length} bytes (RFC 6455 5.2). */
	static ByteBuffer header(int length) {
		ByteBuffer header;
		if (length < 126) {
			header = ByteBuffer.allocate(2).put((byte) 0x81).put((byte) length);
		}
		else if (length < 65536) {
			header = ByteBuffer.allocate(4).put((byte) 0x81).put((byte) 126).putShort((short) length);
		}
		else {
			header = ByteBuffer.allocate(10).put((byte) 0x81).put((byte) 127).putLong(length);
		}
		return header.flip();
	}

	/**
	 * Writes what the endpoint's batch holds; {@code handler} gets the result once it is written,
	 * possibly before this returns.
	 */
	public static void flush(RemoteEndpoint.Async remote, SendHandler handler) {
		((WsRemoteEndpointBase) remote).base.startMessage(Constants.INTERNAL_OPCODE_FLUSH, null, true, handler);
	}

}
