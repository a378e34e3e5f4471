package io.imsystem.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sends a Content-Security-Policy with every response. The pages render user text with
 * {@code textContent} only; the policy is the second line of defence should a bug ever let markup
 * through: no inline script, no inline event handler, no script from elsewhere, and the page may
 * only talk to its own origin (which, for {@code connect-src}, includes its own {@code ws:} and
 * {@code wss:}). Trusted Types with no policy make the browser itself refuse any HTML string put
 * into the page ({@code innerHTML} and the like), so a regression fails loudly instead of rendering.
 * <p>
 * Ordered first, so that responses other filters answer themselves (an authentication challenge,
 * say) carry the header too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ContentSecurityPolicyFilter extends OncePerRequestFilter {

	static final String HEADER = "Content-Security-Policy";

	static final String POLICY = String.join("; ", "default-src 'self'", "script-src 'self'", "style-src 'self'",
			"img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
			"form-action 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'", "trusted-types 'none'");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader(HEADER, POLICY);
		chain.doFilter(request, response);
	}

}
