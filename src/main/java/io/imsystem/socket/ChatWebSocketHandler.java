package io.imsystem.socket;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.websocket.Session;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.Utf8;
import io.imsystem.session.AddressLimiter;
import io.imsystem.session.ChatSession;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * Bytes in, commands out: adapts WebSocket sessions to the chat service. Frame-level rules (binary
 * frames, frame size in UTF-8 bytes) are enforced here; everything else is the chat's business.
 */
@Component
class ChatWebSocketHandler extends AbstractWebSocketHandler implements DisposableBean {

	/** How long Tomcat waits for a client's answering close frame before it closes the socket. */
	private static final String SESSION_CLOSE_TIMEOUT = "org.apache.tomcat.websocket.SESSION_CLOSE_TIMEOUT";

	private static final long CLOSE_HANDSHAKE_MILLIS = 5_000;

	private static final String CHAT_SESSION = "chat.session";

	private static final String COUNTED_ADDRESS = "chat.countedAddress";

	private final ChatService chat;

	private final ChatProperties properties;

	private final AddressLimiter addressLimiter;

	private final ExecutorService closer;

	ChatWebSocketHandler(ChatService chat, ChatProperties properties, AddressLimiter addressLimiter) {
		this.chat = chat;
		this.properties = properties;
		this.addressLimiter = addressLimiter;
		AtomicInteger threads = new AtomicInteger();
		this.closer = Executors.newFixedThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "ws-closer-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession webSocket) throws Exception {
		String address = ChatHandshakeInterceptor.host(webSocket.getRemoteAddress());
		if (!this.addressLimiter.tryAcquire(address)) {
			// Lost a race with other handshakes from the same address after passing the 429 check.
			webSocket.close(new CloseStatus(CloseCode.TRY_AGAIN_LATER.code(), CloseCode.TRY_AGAIN_LATER.reason()));
			return;
		}
		webSocket.getAttributes().put(COUNTED_ADDRESS, address);
		Session nativeSession = ((NativeWebSocketSession) webSocket).getNativeSession(Session.class);
		nativeSession.getUserProperties()
			.put(WebSocketConnection.BLOCKING_SEND_TIMEOUT, this.properties.session().sendTimeLimit().toMillis());
		nativeSession.getUserProperties().put(SESSION_CLOSE_TIMEOUT, CLOSE_HANDSHAKE_MILLIS);
		WebSocketConnection connection = new WebSocketConnection(webSocket, nativeSession,
				this.properties.session().bufferSizeLimit().toBytes(), this.closer, () -> slow(webSocket));
		String requestedName = (String) webSocket.getAttributes().get(ChatHandshakeInterceptor.REQUESTED_NAME);
		Link link = new Link();
		webSocket.getAttributes().put(CHAT_SESSION, link);
		ChatSession session = this.chat.join(connection, requestedName);
		LeaveReason closedWhileJoining = link.attach(session);
		if (closedWhileJoining != null) {
			// A client that dropped during its welcome: its close came before there was a session
			// to end, and no other close will come.
			this.chat.closed(session, closedWhileJoining);
		}
	}

	/**
	 * Messages arrive in parts of at most {@code chat.websocket.buffer-size}, so that no connection
	 * holds a buffer as large as the biggest message allowed; the limit is enforced here, on UTF-8
	 * bytes as the contract counts them.
	 */
	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	@Override
	protected void handleTextMessage(WebSocketSession webSocket, TextMessage message) {
		Link link = (Link) webSocket.getAttributes().get(CHAT_SESSION);
		ChatSession session = (link != null) ? link.session() : null;
		if (session == null || session.isEnded()) {
			// Rejected mid-message, or closing: the rest of what it sends is dropped.
			return;
		}
		String part = message.getPayload();
		int limit = this.properties.limits().maxFrameBytes();
		if (message.isLast() && link.partial == null) {
			// The whole message in one part: the usual case, no copy.
			if (part.length() > limit / 4 && Utf8.length(part) > limit) {
				this.chat.reject(session, CloseCode.TOO_BIG);
				return;
			}
			this.chat.receive(session, part);
			return;
		}
		long bytes = link.partialBytes + Utf8.length(part);
		// Tomcat hands over a part that is not the last when its buffer is full and more of the
		// frame waits, so such a part reaching the limit means the message is over it. Deciding
		// now, not at the end of the message, stops a frame that declares a huge length from
		// streaming on. (A fragmented message of exactly the limit followed by an empty final
		// fragment is refused too; no client sends that.)
		if (bytes > limit || (!message.isLast() && bytes >= limit)) {
			link.partial = null;
			this.chat.reject(session, CloseCode.TOO_BIG);
			return;
		}
		if (link.partial == null) {
			link.partial = new StringBuilder(limit / 4);
		}
		link.partial.append(part);
		link.partialBytes = bytes;
		if (message.isLast()) {
			String whole = link.partial.toString();
			link.partial = null;
			link.partialBytes = 0;
			this.chat.receive(session, whole);
		}
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession webSocket, BinaryMessage message) {
		ChatSession session = session(webSocket);
		if (session != null) {
			this.chat.reject(session, CloseCode.BINARY_NOT_ACCEPTED);
		}
	}

	@Override
	protected void handlePongMessage(WebSocketSession webSocket, PongMessage message) {
		ChatSession session = session(webSocket);
		if (session != null && session.connection() instanceof WebSocketConnection connection) {
			// A pong proves the peer is alive; it is not user activity.
			connection.pong();
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession webSocket, CloseStatus status) {
		String address = (String) webSocket.getAttributes().remove(COUNTED_ADDRESS);
		if (address != null) {
			this.addressLimiter.release(address);
		}
		Link link = (Link) webSocket.getAttributes().get(CHAT_SESSION);
		if (link != null) {
			LeaveReason reason = CloseCode.leaveReasonForRemoteClose(status.getCode());
			ChatSession session = link.close(reason);
			if (session != null) {
				this.chat.closed(session, reason);
			}
		}
	}

	private void slow(WebSocketSession webSocket) {
		ChatSession session = session(webSocket);
		if (session != null) {
			this.chat.kick(session, LeaveReason.SLOW, CloseCode.TOO_SLOW.reason(), null);
		}
	}

	private static ChatSession session(WebSocketSession webSocket) {
		Link link = (Link) webSocket.getAttributes().get(CHAT_SESSION);
		return (link != null) ? link.session() : null;
	}

	@Override
	public void destroy() {
		this.closer.shutdown();
	}

	/**
	 * A socket's chat session, which exists only once it has joined, and a close that came before
	 * that: whichever of the join and the close comes second ends the session.
	 */
	private static final class Link {

		private ChatSession session;

		private LeaveReason closedWith;

		/**
		 * A text message being received in parts, and its size so far in UTF-8 bytes. Touched only
		 * by the container's reads, which it runs one at a time per connection.
		 */
		StringBuilder partial;

		long partialBytes;

		synchronized ChatSession session() {
			return this.session;
		}

		/** @return the reason of a close that came first, or {@code null} */
		synchronized LeaveReason attach(ChatSession session) {
			this.session = session;
			return this.closedWith;
		}

		/** @return the session to end, or {@code null} if it is still joining */
		synchronized ChatSession close(LeaveReason reason) {
			if (this.session == null) {
				this.closedWith = reason;
			}
			return this.session;
		}

	}

}
