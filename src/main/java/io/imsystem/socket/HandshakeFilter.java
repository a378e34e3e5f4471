package io.imsystem.socket;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

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
 * With compression off it also hides the client's {@code Sec-WebSocket-Extensions} offer: Tomcat
 * negotiates {@code permessage-deflate} from the request itself, whatever Spring's handshake
 * handler selects, and it costs memory and CPU per connection that small chat frames do not repay.
 */
final class HandshakeFilter implements Filter {

	private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

	private final HttpRequestHandler handler;

	private final boolean compression;

	HandshakeFilter(HttpRequestHandler handler, boolean compression) {
		this.handler = handler;
		this.compression = compression;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		HttpServletRequest http = (HttpServletRequest) request;
		if (!this.compression && http.getHeader(EXTENSIONS) != null) {
			http = new WithoutExtensions(http);
		}
		this.handler.handleRequest(http, (HttpServletResponse) response);
	}

	private static final class WithoutExtensions extends HttpServletRequestWrapper {

		WithoutExtensions(HttpServletRequest request) {
			super(request);
		}

		@Override
		public String getHeader(String name) {
			return EXTENSIONS.equalsIgnoreCase(name) ? null : super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return EXTENSIONS.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			return Collections.enumeration(Collections.list(super.getHeaderNames())
				.stream()
				.filter((name) -> !EXTENSIONS.equalsIgnoreCase(name))
				.toList());
		}

	}

}
