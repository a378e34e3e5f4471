package io.imsystem.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import org.apache.tomcat.websocket.WsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.chat.Reservation;
import io.imsystem.presence.StoreUnavailableException;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.Utf8;
import io.imsystem.session.AddressLimiter;
import io.imsystem.session.ChatSession;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Bytes in, commands out: adapts the container's WebSocket sessions to the chat service. Frame-level
 * rules (binary frames, message size in UTF-8 bytes) are enforced here; everything else is the
 * chat's business. One instance serves every connection: what belongs to a connection lives in the
 * handlers {@link #onOpen} registers for it. What the Jakarta API does not show (pings, empty
 * continuation frames) is counted against the rate limit by the connection's {@link FrameGuard}.
 */
@Component
class ChatWebSocketEndpoint extends Endpoint implements DisposableBean {

	/** User property: the client's IP address, as connections are counted. */
	static final String ADDRESS = "chat.address";

	/** User property: the client's address and port, as the chat shows it. */
	static final String REMOTE = "chat.remote";

	/** User property: the name the handshake claimed ({@link ChatService#reserve}). */
	static final String RESERVATION = "chat.reservation";

	private static final Logger logger = LoggerFactory.getLogger(ChatWebSocketEndpoint.class);

	private final ChatService chat;

	private final ChatProperties properties;

	private final AddressLimiter addressLimiter;

	private final ExecutorService closer;

	/** Resumes reading connections paused by their {@link FrameGuard}: short tasks only. */
	private final ScheduledExecutorService resumer;

	private final Clock clock;

	ChatWebSocketEndpoint(ChatService chat, ChatProperties properties, AddressLimiter addressLimiter, Clock clock) {
		this.chat = chat;
		this.properties = properties;
		this.addressLimiter = addressLimiter;
		this.clock = clock;
		this.resumer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "ws-resumer");
			thread.setDaemon(true);
			return thread;
		});
		AtomicInteger threads = new AtomicInteger();
		this.closer = Executors.newFixedThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "ws-closer-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	@Override
	public void onOpen(Session webSocket, EndpointConfig config) {
		Map<String, Object> handshake = config.getUserProperties();
		String address = (String) handshake.get(ADDRESS);
		Link link = new Link(address);
		// Before anything can fail: Tomcat calls onClose for every session it opened.
		webSocket.getUserProperties().put(Link.KEY, link);
		Reservation reservation = (Reservation) handshake.get(RESERVATION);
		if (!this.addressLimiter.tryAcquire(address)) {
			// Lost a race with other handshakes from the same address after passing the 429 check.
			link.releaseAddress();
			this.chat.cancel(reservation);
			close(webSocket, CloseCode.TRY_AGAIN_LATER);
			return;
		}
		WebSocketConnection connection = new WebSocketConnection(webSocket, (String) handshake.get(REMOTE),
				this.properties.session().bufferSizeLimit().toBytes(), this.properties.session().sendTimeLimit().toMillis(),
				this.closer, () -> slow(link));
		webSocket.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) -> text(link, part, last));
		webSocket.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> binary(link));
		webSocket.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) (pong) -> {
			// A pong proves the peer is alive; it is not user activity.
			connection.pong();
		});
		ChatSession session;
		try {
			session = this.chat.join(connection, reservation);
		}
		catch (StoreUnavailableException ex) {
			// Its name was claimed during the handshake (a failure there is a 503), but the claim
			// was freed as abandoned before the connection opened, and claiming it again failed
			// (cluster mode, Redis away): nothing of it was admitted.
			close(webSocket, CloseCode.TRY_AGAIN_LATER);
			return;
		}
		if (handshake.get(FrameGuard.KEY) instanceof FrameGuard guard && webSocket instanceof WsSession tomcat) {
			guard.attach(tomcat, connection, session.rateLimiter(), this.clock, this.resumer);
		}
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
	private void text(Link link, String part, boolean last) {
		ChatSession session = link.session();
		if (session == null || session.isEnded()) {
			// Rejected mid-message, or closing: the rest of what it sends is dropped.
			return;
		}
		int limit = this.properties.limits().maxFrameBytes();
		if (last && link.partial == null) {
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
		if (bytes > limit || (!last && bytes >= limit)) {
			link.partial = null;
			this.chat.reject(session, CloseCode.TOO_BIG);
			return;
		}
		if (link.partial == null) {
			link.partial = new StringBuilder(limit / 4);
		}
		link.partial.append(part);
		link.partialBytes = bytes;
		if (last) {
			String whole = link.partial.toString();
			link.partial = null;
			link.partialBytes = 0;
			this.chat.receive(session, whole);
		}
	}

	private void binary(Link link) {
		ChatSession session = link.session();
		if (session != null && !session.isEnded()) {
			this.chat.reject(session, CloseCode.BINARY_NOT_ACCEPTED);
		}
	}

	@Override
	public void onClose(Session webSocket, CloseReason closeReason) {
		Link link = (Link) webSocket.getUserProperties().get(Link.KEY);
		if (link == null) {
			return;
		}
		String address = link.releaseAddress();
		if (address != null) {
			this.addressLimiter.release(address);
		}
		LeaveReason reason = CloseCode.leaveReasonForRemoteClose(closeReason.getCloseCode().getCode());
		ChatSession session = link.close(reason);
		if (session != null) {
			this.chat.closed(session, reason);
		}
	}

	@Override
	public void onError(Session webSocket, Throwable failure) {
		// The container closes the session after this, and onClose ends the chat session. The
		// session may be closed already: only its id may be asked for then.
		logger.debug("WebSocket error on session {}", webSocket.getId(), failure);
	}

	private void slow(Link link) {
		ChatSession session = link.session();
		if (session != null) {
			this.chat.tooSlow(session);
		}
	}

	private static void close(Session webSocket, CloseCode code) {
		try {
			webSocket.close(WebSocketConnection.closeReason(code));
		}
		catch (IOException ex) {
			logger.debug("Close failed", ex);
		}
	}

	@Override
	public void destroy() {
		this.closer.shutdown();
		this.resumer.shutdown();
	}

	/**
	 * A socket's chat session, which exists only once it has joined, and a close that came before
	 * that: whichever of the join and the close comes second ends the session.
	 */
	private static final class Link {

		static final String KEY = "chat.link";

		/** The address counted against the per-address limit until the close releases it. */
		private String address;

		private ChatSession session;

		private LeaveReason closedWith;

		/**
		 * A text message being received in parts, and its size so far in UTF-8 bytes. Touched only
		 * by the container's reads, which it runs one at a time per connection.
		 */
		StringBuilder partial;

		long partialBytes;

		Link(String address) {
			this.address = address;
		}

		synchronized String releaseAddress() {
			String counted = this.address;
			this.address = null;
			return counted;
		}

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
