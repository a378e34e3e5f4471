package io.imsystem.socket;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.session.AddressLimiter;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Checks a handshake before the upgrade: a foreign browser origin gets 403, an address already at
 * its connection limit 429, a server shutting down 503. Passes the requested {@code name} on to the
 * handler. A client that sends no {@code Origin} (a script, a CLI) is accepted: the check protects
 * browsers from cross-site use, it is not authentication.
 */
final class ChatHandshakeInterceptor implements HandshakeInterceptor {

	static final String REQUESTED_NAME = "chat.requestedName";

	private static final Logger logger = LoggerFactory.getLogger(ChatHandshakeInterceptor.class);

	private final OriginPolicy originPolicy;

	private final AddressLimiter addressLimiter;

	private final BooleanSupplier accepting;

	/**
	 * @param accepting whether the server admits new sessions ({@code false} once shutdown began)
	 */
	ChatHandshakeInterceptor(OriginPolicy originPolicy, AddressLimiter addressLimiter, BooleanSupplier accepting) {
		this.originPolicy = originPolicy;
		this.addressLimiter = addressLimiter;
		this.accepting = accepting;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			Map<String, Object> attributes) {
		String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
		if (origin != null && !this.originPolicy.allows(origin, request.getURI().getScheme(),
				request.getHeaders().getFirst(HttpHeaders.HOST))) {
			logger.debug("Refused handshake from origin {}", origin);
			response.setStatusCode(HttpStatus.FORBIDDEN);
			return false;
		}
		if (!this.accepting.getAsBoolean()) {
			response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
			return false;
		}
		String address = host(request.getRemoteAddress());
		if (!this.addressLimiter.hasRoom(address)) {
			logger.debug("Refused handshake from {}: {} connections open", address, this.addressLimiter.open(address));
			response.setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
			return false;
		}
		String name = queryParameter(request.getURI().getRawQuery(), "name");
		if (name != null) {
			attributes.put(REQUESTED_NAME, name);
		}
		return true;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			Exception exception) {
	}

	/** The IP address connections are counted by. */
	static String host(InetSocketAddress address) {
		if (address == null) {
			return "unknown";
		}
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	/** The first value of a query parameter, decoded; a value that does not decode is kept raw. */
	static String queryParameter(String rawQuery, String parameter) {
		if (rawQuery == null) {
			return null;
		}
		for (String pair : rawQuery.split("&")) {
			int equals = pair.indexOf('=');
			String key = (equals < 0) ? pair : pair.substring(0, equals);
			if (key.equals(parameter)) {
				String value = (equals < 0) ? "" : pair.substring(equals + 1);
				try {
					return URLDecoder.decode(value, StandardCharsets.UTF_8);
				}
				catch (IllegalArgumentException ex) {
					return value;
				}
			}
		}
		return null;
	}

}
