package io.imsystem.admin;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses writes that a browser sends on behalf of another site. Browsers replay cached Basic
 * credentials on cross-site requests, so without this an evil page could kick users through an
 * administrator's browser. Every unsafe method on every path is checked, not only those under
 * {@code /api/admin/}: a test of the raw request URI is bypassed by percent-encoding
 * ({@code /api/%61dmin/...}), which Spring Security and MVC decode before they match, and no path
 * of this service takes a cross-site write anyway. Clients that send neither header (curl,
 * scripts) are not browsers and pass.
 */
final class CrossSiteWriteFilter extends OncePerRequestFilter {

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String method = request.getMethod();
		return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") || method.equals("TRACE");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String fetchSite = request.getHeader("Sec-Fetch-Site");
		boolean crossSite = fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none");
		String origin = request.getHeader("Origin");
		if (crossSite || (origin != null && !isSameOrigin(origin, request))) {
			ProblemResponses.write(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden",
					"cross-site writes are refused");
			return;
		}
		chain.doFilter(request, response);
	}

	private static boolean isSameOrigin(String origin, HttpServletRequest request) {
		String host = request.getHeader("Host");
		return host != null && origin.equalsIgnoreCase(request.getScheme() + "://" + host);
	}

}
