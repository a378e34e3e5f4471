package io.imsystem.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.apache.tomcat.websocket.server.WsServerContainer;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.chat.Reservation;
import io.imsystem.presence.StoreUnavailableException;
import io.imsystem.session.Connection;

/**
 * Serves {@code /ws/chat} as the first filter and ends the chain there: a handshake is checked
 * ({@link HandshakeChecks}) and handed straight to Tomcat's WebSocket container. The endpoint is
 * open to everyone and guarded by its own origin, address and shutdown checks, so the filters
 * behind this one (security, HTTP observation, the {@code DispatcherServlet}) did nothing for it,
 * and neither did Spring's WebSocket layer (handshake handler, session adapter, a copy of the
 * headers per session): together they cost about half of a handshake's CPU, and a connect storm,
 * as after a restart, is when that CPU is scarcest (profiles in docs/benchmarks.md).
 * <p>
 * A request that is not a valid WebSocket handshake gets a plain answer here, before the container
 * sees it: 405 for a method other than GET, 426 for a plain GET or another protocol version, 400
 * for a missing {@code Connection: Upgrade} or a malformed key. A handshake the checks refuse
 * (403, 429, 503) gets an RFC 9457 problem detail, with a {@code Retry-After} when over the
 * handshake rate.
 * <p>
 * Tomcat keeps the handshake's headers for the whole life of a connection; the container sees only
 * the ones it needs, so a browser's cookies and user agent do not cost every idle connection a few
 * hundred bytes to kilobytes. With compression off the client's {@code Sec-WebSocket-Extensions}
 * offer is hidden too, and none is negotiated: {@code permessage-deflate} costs memory and CPU per
 * connection that small chat frames do not repay.
 */
final class HandshakeFilter implements Filter {

	/** What Tomcat's handshake reads, lower case. */
	private static final Set<String> HANDSHAKE_HEADERS = Set.of("host", "upgrade", "connection", "origin",
			"sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol");

	private static final String EXTENSIONS = "sec-websocket-extensions";

	/** How long Tomcat waits for a client's answering close frame before it closes the socket. */
	private static final String SESSION_CLOSE_TIMEOUT = "org.apache.tomcat.websocket.SESSION_CLOSE_TIMEOUT";


	private static final long CLOSE_HANDSHAKE_MILLIS = 5_000;

	private final HandshakeChecks checks;

	private final ChatService chat;

	private final Configurator configurator;

	private final Set<String> kept;

	/** What every session starts with in its user properties. */
	private final Map<String, Object> sessionDefaults;

	private volatile WsServerContainer container;

	HandshakeFilter(ChatWebSocketEndpoint endpoint, HandshakeChecks checks, ChatService chat,
			ChatProperties properties) {
		this.checks = checks;
		this.chat = chat;
		boolean compression = properties.websocket().compression();
		this.configurator = new Configurator(endpoint, compression);
		if (compression) {
			Set<String> kept = new HashSet<>(HANDSHAKE_HEADERS);
			kept.add(EXTENSIONS);
			this.kept = Set.copyOf(kept);
		}
		else {
			this.kept = HANDSHAKE_HEADERS;
		}
		this.sessionDefaults = Map.of(WebSocketConnection.BLOCKING_SEND_TIMEOUT, properties.session().sendTimeLimit().toMillis(),
				SESSION_CLOSE_TIMEOUT, CLOSE_HANDSHAKE_MILLIS);
	}

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
			throws IOException, ServletException {
		HttpServletRequest request = (HttpServletRequest) req;
		HttpServletResponse response = (HttpServletResponse) res;
		if (!"GET".equals(request.getMethod())) {
			response.setHeader("Allow", "GET");
			answer(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Only GET opens a WebSocket here.");
			return;
		}
		if (!hasToken(request, "Upgrade", "websocket")) {
			response.setHeader("Upgrade", "websocket");
			response.setHeader("Connection", "Upgrade");
			answer(response, 426, "This is a WebSocket endpoint: connect with a WebSocket client.");
			return;
		}
		if (!hasToken(request, "Sec-WebSocket-Version", "13")) {
			response.setHeader("Sec-WebSocket-Version", "13");
			answer(response, 426, "Only WebSocket version 13 is spoken here.");
			return;
		}
		if (!hasToken(request, "Connection", "upgrade") || !validKey(request.getHeader("Sec-WebSocket-Key"))) {
			answer(response, HttpServletResponse.SC_BAD_REQUEST, "Not a valid WebSocket handshake.");
			return;
		}
		String address = request.getRemoteAddr();
		HandshakeChecks.Refusal refusal = this.checks.refusal(request, address);
		if (refusal != null) {
			refuse(response, refusal);
			return;
		}
		Map<String, Object> handshake = new HashMap<>(this.sessionDefaults);
		handshake.put(ChatWebSocketEndpoint.ADDRESS, address);
		handshake.put(ChatWebSocketEndpoint.REMOTE, Connection.address(address, request.getRemotePort()));
		// The name is claimed before the 101: if that fails (cluster mode, Redis went away since
		// the check), the handshake is refused as the check would have refused it.
		Reservation reservation;
		try {
			reservation = this.chat.reserve(HandshakeChecks.queryParameter(request.getQueryString(), "name"));
		}
		catch (StoreUnavailableException ex) {
			refuse(response, HandshakeChecks.clusterUnreachable());
			return;
		}
		handshake.put(ChatWebSocketEndpoint.RESERVATION, reservation);
		boolean upgraded = false;
		try {
			container(request).upgradeHttpToWebSocket(new HandshakeHeaders(request, this.kept), response,
					new HandshakeConfig(this.configurator, handshake), Map.of());
			upgraded = response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS;
		}
		catch (DeploymentException ex) {
			throw new ServletException(ex);
		}
		finally {
			if (!upgraded) {
				this.chat.cancel(reservation);
			}
		}
	}

	private WsServerContainer container(HttpServletRequest request) {
		WsServerContainer container = this.container;
		if (container == null) {
			container = (WsServerContainer) request.getServletContext().getAttribute(ServerContainer.class.getName());
			this.container = container;
		}
		return container;
	}

	private static void answer(HttpServletResponse response, int status, String text) throws IOException {
		byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
		response.setStatus(status);
		response.setContentType("text/plain;charset=UTF-8");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

	/** An RFC 9457 problem detail; the texts are constants of ours, so need no JSON escaping. */
	private static void refuse(HttpServletResponse response, HandshakeChecks.Refusal refusal) throws IOException {
		if (refusal.retryAfterSeconds() > 0) {
			response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
		}
		String json = "{\"type\":\"about:blank\",\"title\":\"" + refusal.title() + "\",\"status\":" + refusal.status()
				+ ",\"detail\":\"" + refusal.detail() + "\"}";
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		response.setStatus(refusal.status());
		response.setContentType("application/problem+json");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

	/** Whether a comma-separated header has the token, ignoring case, as RFC 6455 reads them. */
	static boolean hasToken(HttpServletRequest request, String header, String token) {
		Enumeration<String> values = request.getHeaders(header);
		while (values.hasMoreElements()) {
			for (String value : values.nextElement().split(",")) {
				if (value.trim().equalsIgnoreCase(token)) {
					return true;
				}
			}
		}
		return false;
	}

	/** RFC 6455 4.1: a base64-encoded 16-byte nonce. */
	static boolean validKey(String key) {
		if (key == null) {
			return false;
		}
		try {
			return Base64.getDecoder().decode(key.trim()).length == 16;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/**
	 * The same endpoint for every connection (its per-connection state lives in the handlers it
	 * registers), the origin already checked, compression only if configured.
	 */
	private static final class Configurator extends ServerEndpointConfig.Configurator {

		private final ChatWebSocketEndpoint endpoint;

		private final boolean compression;

		Configurator(ChatWebSocketEndpoint endpoint, boolean compression) {
			this.endpoint = endpoint;
			this.compression = compression;
		}

		@Override
		public <T> T getEndpointInstance(Class<T> endpointClass) {
			return endpointClass.cast(this.endpoint);
		}

		@Override
		public boolean checkOrigin(String originHeaderValue) {
			// HandshakeChecks did, with a clearer policy than an allow-all or a same-origin rule.
			return true;
		}

		@Override
		public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
			return "";
		}

		@Override
		public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
			return this.compression ? super.getNegotiatedExtensions(installed, requested) : List.of();
		}

		@Override
		public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
		}

	}

	/** One handshake's configuration: the shared endpoint and this connection's properties. */
	private static final class HandshakeConfig implements ServerEndpointConfig {

		private final Configurator configurator;

		private final Map<String, Object> userProperties;

		HandshakeConfig(Configurator configurator, Map<String, Object> userProperties) {
			this.configurator = configurator;
			this.userProperties = userProperties;
		}

		@Override
		public Class<?> getEndpointClass() {
			return ChatWebSocketEndpoint.class;
		}

		@Override
		public String getPath() {
			return WebSocketConfiguration.PATH;
		}

		@Override
		public List<String> getSubprotocols() {
			return List.of();
		}

		@Override
		public List<Extension> getExtensions() {
			return List.of();
		}

		@Override
		public Configurator getConfigurator() {
			return this.configurator;
		}

		@Override
		public List<Class<? extends jakarta.websocket.Encoder>> getEncoders() {
			return List.of();
		}

		@Override
		public List<Class<? extends jakarta.websocket.Decoder>> getDecoders() {
			return List.of();
		}

		@Override
		public Map<String, Object> getUserProperties() {
			return this.userProperties;
		}

	}

	private static final class HandshakeHeaders extends HttpServletRequestWrapper {

		private final Set<String> kept;

		HandshakeHeaders(HttpServletRequest request, Set<String> kept) {
			super(request);
			this.kept = kept;
		}

		private boolean kept(String name) {
			return name != null && this.kept.contains(name.toLowerCase(Locale.ROOT));
		}

		@Override
		public String getHeader(String name) {
			return kept(name) ? super.getHeader(name) : null;
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return kept(name) ? super.getHeaders(name) : Collections.emptyEnumeration();
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			List<String> names = new ArrayList<>(this.kept.size());
			Enumeration<String> all = super.getHeaderNames();
			while (all.hasMoreElements()) {
				String name = all.nextElement();
				if (kept(name)) {
					names.add(name);
				}
			}
			return Collections.enumeration(names);
		}

		@Override
		public long getDateHeader(String name) {
			return kept(name) ? super.getDateHeader(name) : -1;
		}

		@Override
		public int getIntHeader(String name) {
			return kept(name) ? super.getIntHeader(name) : -1;
		}

	}

}
