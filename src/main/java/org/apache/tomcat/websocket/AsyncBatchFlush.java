package org.apache.tomcat.websocket;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;

/**
 * The asynchronous flush of a batch of WebSocket messages, which Tomcat has but does not expose:
 * {@code RemoteEndpoint.flushBatch()} blocks the caller until the bytes are in the kernel's buffer,
 * and a thread of ours must never wait on a client that does not read. Tomcat's own
 * {@code flushBatch} starts exactly this message and then waits for it.
 * <p>
 * In Tomcat's package because {@code startMessage} is package-private; the application and
 * Tomcat's jar share one class loader (plain class path or Spring Boot's nested jars), so the
 * package is the same at run time. {@link #supports} says whether this endpoint is Tomcat's.
 */
public final class AsyncBatchFlush {

	private AsyncBatchFlush() {
	}

	public static boolean supports(RemoteEndpoint.Async remote) {
		return remote instanceof WsRemoteEndpointBase;
	}

	/**
	 * Writes what the endpoint's batch holds; {@code handler} gets the result once it is written,
	 * possibly before this returns.
	 */
	public static void flush(RemoteEndpoint.Async remote, SendHandler handler) {
		((WsRemoteEndpointBase) remote).base.startMessage(Constants.INTERNAL_OPCODE_FLUSH, null, true, handler);
	}

}
