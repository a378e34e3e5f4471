package io.imsystem.socket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.session.AddressLimiter;

/**
 * Checks a handshake before the upgrade: a foreign browser origin gets 403, an address already at
 * its connection limit 429, a server shutting down 503. A client that sends no {@code Origin} (a
 * script, a CLI) is accepted: the check protects browsers from cross-site use, it is not
 * authentication.
 */
final class HandshakeChecks {

	private static final Logger logger = LoggerFactory.getLogger(HandshakeChecks.class);

	private final OriginPolicy originPolicy;

	private final AddressLimiter addressLimiter;

	private final BooleanSupplier accepting;

	/**
	 * @param accepting whether the server admits new sessions ({@code false} once shutdown began)
	 */
	HandshakeChecks(OriginPolicy originPolicy, AddressLimiter addressLimiter, BooleanSupplier accepting) {
		this.originPolicy = originPolicy;
		this.addressLimiter = addressLimiter;
		this.accepting = accepting;
	}

	/**
	 * @param address the client's IP address, as connections are counted
	 * @return the HTTP status that refuses the handshake, or 0 to go on with it
	 */
	int refusal(HttpServletRequest request, String address) {
		String origin = request.getHeader("Origin");
		if (origin != null && !this.originPolicy.allows(origin, request.getScheme(), request.getHeader("Host"))) {
			logger.debug("Refused handshake from origin {}", origin);
			return HttpServletResponse.SC_FORBIDDEN;
		}
		if (!this.accepting.getAsBoolean()) {
			return HttpServletResponse.SC_SERVICE_UNAVAILABLE;
		}
		if (!this.addressLimiter.hasRoom(address)) {
			logger.debug("Refused handshake from {}: {} connections open", address, this.addressLimiter.open(address));
			return 429;
		}
		return 0;
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
