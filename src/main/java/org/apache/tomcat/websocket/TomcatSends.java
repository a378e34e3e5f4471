package org.apache.tomcat.websocket;

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

	private TomcatSends() {
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
	 * Writes what the endpoint's batch holds; {@code handler} gets the result once it is written,
	 * possibly before this returns.
	 */
	public static void flush(RemoteEndpoint.Async remote, SendHandler handler) {
		((WsRemoteEndpointBase) remote).base.startMessage(Constants.INTERNAL_OPCODE_FLUSH, null, true, handler);
	}

}
