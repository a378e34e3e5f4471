package io.imsystem.socket;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.HttpRequestHandler;

/**
 * Serves {@code /ws/chat} as the first filter and ends the chain there: a handshake goes straight
 * to the WebSocket request handler. The endpoint is open to everyone and guarded by its own origin,
 * address and shutdown checks ({@link ChatHandshakeInterceptor}), so the filters behind this one
 * (security, HTTP observation, the {@code DispatcherServlet}'s handler lookup) did nothing for it
 * but cost most of a handshake's CPU (profiles in docs/benchmarks.md), and a connect storm is
 * when that CPU is scarcest.
 * <p>
 * The handshake sees only the headers it needs. Spring keeps a copy of the handshake's headers for
 * the whole life of a WebSocket session; a browser's cookies and user agent would cost every idle
 * connection a few hundred bytes to kilobytes for nothing. With compression off the client's
 * {@code Sec-WebSocket-Extensions} offer is hidden too: Tomcat negotiates
 * {@code permessage-deflate} from the request itself, whatever Spring's handshake handler selects,
 * and it costs memory and CPU per connection that small chat frames do not repay.
 */
final class HandshakeFilter implements Filter {

	/** What Spring's and Tomcat's handshake code and our interceptor read, lower case. */
	private static final Set<String> HANDSHAKE_HEADERS = Set.of("host", "upgrade", "connection", "origin",
			"sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol");

	private static final String EXTENSIONS = "sec-websocket-extensions";

	private final HttpRequestHandler handler;

	private final Set<String> kept;

	HandshakeFilter(HttpRequestHandler handler, boolean compression) {
		this.handler = handler;
		if (compression) {
			Set<String> kept = new HashSet<>(HANDSHAKE_HEADERS);
			kept.add(EXTENSIONS);
			this.kept = Set.copyOf(kept);
		}
		else {
			this.kept = HANDSHAKE_HEADERS;
		}
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		this.handler.handleRequest(new HandshakeHeaders((HttpServletRequest) request, this.kept),
				(HttpServletResponse) response);
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
			return Collections.enumeration(Collections.list(super.getHeaderNames()).stream().filter(this::kept).toList());
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
