package io.imsystem.socket;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hides the client's {@code Sec-WebSocket-Extensions} offer from the container when compression is
 * off. Tomcat negotiates {@code permessage-deflate} from the request itself, whatever Spring's
 * handshake handler selects, and it costs memory and CPU per connection that small chat frames do
 * not repay.
 */
final class NoCompressionFilter extends OncePerRequestFilter {

	private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return request.getHeader(EXTENSIONS) == null;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new HttpServletRequestWrapper(request) {

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
				return Collections.enumeration(
						Collections.list(super.getHeaderNames()).stream().filter((n) -> !EXTENSIONS.equalsIgnoreCase(n)).toList());
			}

		}, response);
	}

}
