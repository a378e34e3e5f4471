package io.imsystem.socket;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;
import org.apache.tomcat.websocket.server.WsHttpUpgradeHandler;

/**
 * Runs just before {@link HandshakeFilter} and makes Tomcat's upgrade ({@code UpgradeUtil.doUpgrade}
 * calls {@code request.upgrade(WsHttpUpgradeHandler.class)} on the request it is given, which wraps
 * this one) create a {@link GuardedUpgradeHandler}, so that every connection gets a
 * {@link FrameGuard}. Tomcat offers no other way in: its extensions are a fixed list.
 */
final class FrameGuardFilter implements Filter {

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		chain.doFilter(new Guarded((HttpServletRequest) request), response);
	}

	private static final class Guarded extends HttpServletRequestWrapper {

		Guarded(HttpServletRequest request) {
			super(request);
		}

		@Override
		public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
			if (handlerClass == WsHttpUpgradeHandler.class) {
				return handlerClass.cast(super.upgrade(GuardedUpgradeHandler.class));
			}
			return super.upgrade(handlerClass);
		}

	}

}
