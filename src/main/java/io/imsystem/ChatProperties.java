package io.imsystem;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of the chat service, under {@code chat.*}. Invalid values fail start-up with a
 * message naming the property, rather than producing a server that kicks everyone at once.
 *
 * @param allowedOrigins Browser origins allowed to open {@code /ws/chat}, besides the server's own
 * origin; {@code scheme://host:*} allows any port or none
 * @param idle Idle-session eviction
 * @param kickHistory The in-memory history of kicks
 * @param session Per-connection outbound limits
 * @param limits Per-message and per-session input limits
 * @param admin The administrator account for the admin API, the console and the actuator
 * @param heartbeat WebSocket pings that find dead peers
 * @param websocket WebSocket transport settings
 * @param tcp The line-protocol TCP gateway for the original system's clients
 * @param presence How presence events reach the room
 * @param allowedHosts The names this server is reached by: a browser page is same-origin only if
 * its {@code Host} is one of them (a name or address, no port; {@code [::1]} for IPv6). Unset, the
 * loopback names and this machine's own name, as webpack-dev-server and Vite do, so that a DNS
 * rebinding page ({@code Host: evil.com}) is not taken for the server's own
 * @param cluster This node's identity among the nodes of one chat service
 * @param audit The in-memory audit trail of administrators' changes
 */
@ConfigurationProperties("chat")
public record ChatProperties(@DefaultValue({ "http://localhost:*", "http://127.0.0.1:*" }) List<String> allowedOrigins,
		@DefaultValue Idle idle, @DefaultValue KickHistory kickHistory, @DefaultValue Session session,
		@DefaultValue Limits limits, @DefaultValue Admin admin, @DefaultValue Heartbeat heartbeat,
		@DefaultValue WebSocket websocket, @DefaultValue Tcp tcp, @DefaultValue Presence presence,
		List<String> allowedHosts, @DefaultValue Cluster cluster, @DefaultValue Audit audit) {

	public ChatProperties {
		if (allowedHosts == null) {
			allowedHosts = defaultAllowedHosts();
		}
	}

	/** Loopback names and this machine's name: what a local development server answers to. */
	static List<String> defaultAllowedHosts() {
		List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]"));
		try {
			hosts.add(InetAddress.getLocalHost().getHostName());
		}
		catch (UnknownHostException ex) {
			// A machine without a resolvable name is reached by address or a configured name.
		}
		return List.copyOf(hosts);
	}

	/**
	 * @param timeout How long a session may stay silent before it is kicked (the original system
	 * used 300 seconds); changeable at run time
	 * @param warningBefore How long before the kick an {@code idle-warning} is sent; 0 turns
	 * warnings off. One not shorter than a session's timeout (allowed here) comes at half that
	 * timeout
	 * @param sweepInterval How often the sweeper looks for idle sessions; a kick happens at most
	 * this long after the timeout is reached
	 * @param kickMessage The text of the {@code kicked} event for idle kicks
	 * @param maxTimeout The largest timeout an administrator may set
	 */
	public record Idle(@DefaultValue("300s") Duration timeout, @DefaultValue("30s") Duration warningBefore,
			@DefaultValue("1s") Duration sweepInterval, @DefaultValue("你被踢了") String kickMessage,
			@DefaultValue("24h") Duration maxTimeout) {

		public Idle {
			requirePositive("chat.idle.timeout", timeout);
			requirePositive("chat.idle.sweep-interval", sweepInterval);
			requirePositive("chat.idle.max-timeout", maxTimeout);
			if (warningBefore.isNegative()) {
				throw new IllegalArgumentException("chat.idle.warning-before must not be negative, was " + warningBefore);
			}
			if (timeout.compareTo(maxTimeout) > 0) {
				throw new IllegalArgumentException(
						"chat.idle.timeout (" + timeout + ") must not exceed chat.idle.max-timeout (" + maxTimeout + ")");
			}
		}

	}

	/**
	 * @param capacity How many kicks are kept, newest first; older ones are dropped
	 */
	public record KickHistory(@DefaultValue("1000") int capacity) {

		public KickHistory {
			if (capacity < 1) {
				throw new IllegalArgumentException("chat.kick-history.capacity must be at least 1, was " + capacity);
			}
		}

	}

	/**
	 * @param sendTimeLimit How long one write to a client may take before the client is closed as
	 * too slow (4500)
	 * @param bufferSizeLimit How much may wait unsent for one client before it is closed as too
	 * slow (4500). The answer to the client's own {@code who}, which lists the whole room, is not
	 * counted while it is unsent; one at a time
	 * @param fanOutAbove Above this many sessions on a node, a broadcast queues its event for every
	 * recipient and a pool of one thread per core starts the writes, so the sender's next command is
	 * not held up by a large room; at or below it, the thread that delivers the broadcast writes. 0:
	 * always the pool
	 */
	public record Session(@DefaultValue("10s") Duration sendTimeLimit, @DefaultValue("512KB") DataSize bufferSizeLimit,
			@DefaultValue("1024") int fanOutAbove) {

		public Session {
			requirePositive("chat.session.send-time-limit", sendTimeLimit);
			if (bufferSizeLimit.toBytes() < 1) {
				throw new IllegalArgumentException("chat.session.buffer-size-limit must be positive, was " + bufferSizeLimit);
			}
			if (fanOutAbove < 0) {
				throw new IllegalArgumentException("chat.session.fan-out-above must not be negative, was " + fanOutAbove);
			}
		}

	}

	/**
	 * @param maxTextLength The longest {@code text}, in characters (code points)
	 * @param maxFrameBytes The largest frame a client may send, in UTF-8 bytes; larger closes the
	 * session with 1009
	 * @param messagesPerSecond Sustained data frames per second per session
	 * @param burst Data frames a session may send at once before the rate applies
	 * @param connectionsPerAddress Open connections allowed from one remote IP address; more are
	 * refused at the handshake with 429. HTTP connections still sending their first request's
	 * headers count too, and more of those than this are closed as they are accepted
	 * @param headerTimeout How long a client may take to send a request's headers, from the moment
	 * the connection is accepted (or the request's first byte, on a kept-alive connection); a slower
	 * one is closed. Tomcat's own timeout restarts with every byte
	 * @param handshakesPerSecond Sustained WebSocket handshakes per second from one remote IP
	 * address; more are refused with 429 and a {@code Retry-After}
	 * @param handshakeBurst Handshakes one address may make at once before the rate applies: as
	 * many as {@code connections-per-address} by default, so that everyone behind one NAT can
	 * reconnect together after a restart
	 */
	public record Limits(@DefaultValue("1000") int maxTextLength, @DefaultValue("8192") int maxFrameBytes,
			@DefaultValue("20") int messagesPerSecond, @DefaultValue("40") int burst,
			@DefaultValue("50") int connectionsPerAddress, @DefaultValue("10s") Duration headerTimeout,
			@DefaultValue("10") int handshakesPerSecond, @DefaultValue("50") int handshakeBurst) {

		public Limits {
			requirePositive("chat.limits.header-timeout", headerTimeout);
			requirePositive("chat.limits.handshakes-per-second", handshakesPerSecond);
			requirePositive("chat.limits.handshake-burst", handshakeBurst);
			requirePositive("chat.limits.connections-per-address", connectionsPerAddress);
			requirePositive("chat.limits.max-text-length", maxTextLength);
			requirePositive("chat.limits.max-frame-bytes", maxFrameBytes);
			requirePositive("chat.limits.messages-per-second", messagesPerSecond);
			requirePositive("chat.limits.burst", burst);
		}

	}

	/**
	 * @param username The administrator's user name
	 * @param password The administrator's password; when unset, a random one is generated and
	 * logged once at start-up
	 * @param loginFailures Failed admin logins one remote address may make in a row; then every
	 * login from that address, right or wrong, is refused with 429 until one failure is forgiven
	 * (one every {@code login-lockout}); a successful login forgives them all
	 * @param loginLockout How long it takes for one failed admin login to be forgiven, so how long
	 * an address that used up its failures waits before it may try once more
	 */
	public record Admin(@DefaultValue("admin") String username, String password,
			@DefaultValue("10") int loginFailures, @DefaultValue("1m") Duration loginLockout) {

		@ConstructorBinding
		public Admin {
			if (username.isBlank()) {
				throw new IllegalArgumentException("chat.admin.username must not be blank");
			}
			requirePositive("chat.admin.login-failures", loginFailures);
			requirePositive("chat.admin.login-lockout", loginLockout);
		}

		/** The administrator with the default login throttle. */
		public Admin(String username, String password) {
			this(username, password, 10, Duration.ofMinutes(1));
		}

	}

	/**
	 * @param enabled Whether the line-protocol TCP gateway listens
	 * @param port The gateway's TCP port; 0 picks a free one (as the tests do)
	 * @param bindAddress The address the gateway listens on; loopback only by default
	 * @param maxLineBytes The longest line a client may send, in UTF-8 bytes without the line end;
	 * a longer line is dropped whole and answered with an error line
	 * @param nativeTransport Whether the gateway uses Linux's epoll transport, and writes lines
	 * straight to the socket, where it is available; false, or any other system, uses Java's NIO
	 */
	public record Tcp(@DefaultValue("true") boolean enabled, @DefaultValue("8888") int port,
			@DefaultValue("127.0.0.1") String bindAddress, @DefaultValue("8192") int maxLineBytes,
			@DefaultValue("true") boolean nativeTransport) {

		public Tcp {
			if (port < 0 || port > 65535) {
				throw new IllegalArgumentException("chat.tcp.port must be between 0 and 65535, was " + port);
			}
			if (bindAddress == null || bindAddress.isBlank()) {
				throw new IllegalArgumentException("chat.tcp.bind-address must not be empty");
			}
			requirePositive("chat.tcp.max-line-bytes", maxLineBytes);
		}

	}

	/**
	 * @param interval How often the server pings each WebSocket client; pings and pongs never
	 * count as activity
	 * @param timeout How long a pong may take before the peer is considered dead and closed
	 */
	public record Heartbeat(@DefaultValue("25s") Duration interval, @DefaultValue("10s") Duration timeout) {

		public Heartbeat {
			requirePositive("chat.heartbeat.interval", interval);
			requirePositive("chat.heartbeat.timeout", timeout);
		}

	}

	/**
	 * @param compression Whether to negotiate permessage-deflate; off by default, since chat
	 * frames are small and compression costs memory per connection
	 * @param bufferSize Size of each buffer the server keeps per WebSocket connection (the
	 * container's socket, frame and encoder buffers). Frames larger than this are read and written
	 * in parts, so it bounds memory per idle connection, not the frame size limit. Read once per
	 * JVM, at start-up.
	 * @param socketSendBuffer The kernel's send buffer per connection (SO_SNDBUF; Linux reserves
	 * twice this). Fixed rather than left to TCP autotuning, which grows it to several MB for a
	 * client that stops reading: that memory is outside {@code chat.session.buffer-size-limit},
	 * would hide a slow client from it for megabytes, and adds up over thousands of sockets. It
	 * bounds one connection's throughput to about this much per round trip (64KB at 200 ms: 320
	 * KB/s). 0 leaves it to the kernel
	 */
	public record WebSocket(@DefaultValue("false") boolean compression,
			@DefaultValue(WebSocket.DEFAULT_BUFFER_SIZE) DataSize bufferSize,
			@DefaultValue("64KB") DataSize socketSendBuffer) {

		public static final String DEFAULT_BUFFER_SIZE = "512B";

		public WebSocket {
			if (bufferSize.toBytes() < 256 || bufferSize.toBytes() > 65536) {
				throw new IllegalArgumentException("chat.websocket.buffer-size must be between 256B and 64KB");
			}
			if (socketSendBuffer.toBytes() != 0
					&& (socketSendBuffer.toBytes() < 4096 || socketSendBuffer.toBytes() > 16 * 1024 * 1024)) {
				throw new IllegalArgumentException(
						"chat.websocket.socket-send-buffer must be 0 (the kernel's choice) or between 4KB and 16MB, was "
								+ socketSendBuffer);
			}
		}

	}

	/**
	 * @param window How long presence changes are collected before they go out: all the joins,
	 * leaves and renames of one window reach each session as one frame (a {@code batch} when there
	 * are several), so a connect storm costs about one frame per session per window instead of one
	 * per session per change. A quiet room sees a change at most this long after it happens
	 * @param namesLimit Above this many sessions online, presence frames carry no names: a
	 * {@code count} frame at most once per window, only when the count changed ({@code who} still
	 * lists everyone)
	 */
	public record Presence(@DefaultValue("100ms") Duration window, @DefaultValue("1000") int namesLimit) {

		public Presence {
			requirePositive("chat.presence.window", window);
			requirePositive("chat.presence.names-limit", namesLimit);
		}

	}

	/**
	 * @param nodeId The name of this node in kick records, audit entries and {@code /actuator/chat}:
	 * letters, digits, {@code .}, {@code _} and {@code -}, at most 64. Unset, the host name plus a
	 * short random suffix ({@code myhost-3f9a}), so that two nodes on one host, or one node before
	 * and after a restart, are told apart
	 * @param mode {@code local}: one node, in memory, no Redis needed; {@code redis}: many nodes
	 * sharing names, presence, settings and histories in Redis (the connection is Spring Boot's
	 * {@code spring.data.redis.*})
	 * @param keyPrefix What every Redis key and channel of this chat service starts with, so that two
	 * deployments (or two test runs) can share one Redis without seeing each other
	 * @param nodeTtl How long a node that stops heartbeating is still taken for alive; then another
	 * node announces its users' leaves and frees their names
	 */
	public record Cluster(String nodeId, @DefaultValue("local") Mode mode, @DefaultValue("im-system:") String keyPrefix,
			@DefaultValue("15s") Duration nodeTtl) {

		private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

		@ConstructorBinding
		public Cluster {
			if (nodeId == null || nodeId.isBlank()) {
				nodeId = defaultNodeId();
			}
			else if (!NODE_ID.matcher(nodeId).matches()) {
				throw new IllegalArgumentException(
						"chat.cluster.node-id must be 1 to 64 letters, digits, '.', '_' or '-', was " + nodeId);
			}
			if (mode == null) {
				mode = Mode.LOCAL;
			}
			if (keyPrefix == null || keyPrefix.isEmpty()) {
				throw new IllegalArgumentException("chat.cluster.key-prefix must not be empty");
			}
			if (nodeTtl == null) {
				nodeTtl = Duration.ofSeconds(15);
			}
			// The heartbeat runs every third of the TTL: below 3 s it would be a busy loop on Redis.
			if (nodeTtl.compareTo(Duration.ofSeconds(3)) < 0) {
				throw new IllegalArgumentException("chat.cluster.node-ttl must be at least 3s, was " + nodeTtl);
			}
		}

		/** One local node with this id (tests and the defaults). */
		public Cluster(String nodeId) {
			this(nodeId, Mode.LOCAL, "im-system:", Duration.ofSeconds(15));
		}

		/** How nodes share the room. */
		public enum Mode {

			/** One node, in memory. */
			LOCAL,
			/** Many nodes, through Redis. */
			REDIS

		}

		/** The host name, reduced to the characters a node id allows, and four random hex digits. */
		static String defaultNodeId() {
			String host;
			try {
				host = InetAddress.getLocalHost().getHostName();
			}
			catch (UnknownHostException ex) {
				// A machine without a resolvable name still needs an id; the suffix tells nodes apart.
				host = "node";
			}
			host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
			if (host.isEmpty()) {
				host = "node";
			}
			host = host.substring(0, Math.min(host.length(), 59));
			return host + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
		}

	}

	/**
	 * @param capacity How many administrators' changes the audit keeps, newest first; older ones
	 * are dropped (every change is also logged)
	 */
	public record Audit(@DefaultValue("1000") int capacity) {

		public Audit {
			requirePositive("chat.audit.capacity", capacity);
		}

	}

	private static void requirePositive(String property, Duration value) {
		if (value.isZero() || value.isNegative()) {
			throw new IllegalArgumentException(property + " must be positive, was " + value);
		}
	}

	private static void requirePositive(String property, int value) {
		if (value < 1) {
			throw new IllegalArgumentException(property + " must be positive, was " + value);
		}
	}

}
