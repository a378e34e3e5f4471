package io.imsystem.socket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.BooleanSupplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.session.AddressLimiter;

/**
 * Checks a handshake before the upgrade: a foreign browser origin gets 403, a server shutting down
 * 503, a cluster node that cannot reach Redis 503 with a {@code Retry-After}, an address over its handshake rate or already at its connection limit 429. A client that
 * sends no {@code Origin} (a script, a CLI) is accepted whatever its {@code Host}: the check
 * protects browsers from cross-site use, it is not authentication.
 */
final class HandshakeChecks {

	private static final Logger logger = LoggerFactory.getLogger(HandshakeChecks.class);

	static final int TOO_MANY_REQUESTS = 429;

	/** The link to Redis is retried every second at most: a client may come back soon. */
	static final long CLUSTER_RETRY_AFTER_SECONDS = 2;

	private final OriginPolicy originPolicy;

	private final AddressLimiter addressLimiter;

	private final BooleanSupplier accepting;

	private final BooleanSupplier linked;

	private final HandshakeRate rate;

	private final Clock clock;

	/**
	 * @param accepting whether the server admits new sessions ({@code false} once shutdown began)
	 */
	HandshakeChecks(OriginPolicy originPolicy, AddressLimiter addressLimiter, BooleanSupplier accepting,
			HandshakeRate rate, Clock clock) {
		this(originPolicy, addressLimiter, accepting, () -> true, rate, clock);
	}

	/**
	 * @param linked whether the node reaches the rest of the cluster (always, for one node): a
	 * session admitted while it does not could not claim its name across nodes
	 */
	HandshakeChecks(OriginPolicy originPolicy, AddressLimiter addressLimiter, BooleanSupplier accepting,
			BooleanSupplier linked, HandshakeRate rate, Clock clock) {
		this.originPolicy = originPolicy;
		this.addressLimiter = addressLimiter;
		this.accepting = accepting;
		this.linked = linked;
		this.rate = rate;
		this.clock = clock;
	}

	/**
	 * @param address the client's IP address, as connections are counted
	 * @return why the handshake is refused, or {@code null} to go on with it
	 */
	Refusal refusal(HttpServletRequest request, String address) {
		String origin = request.getHeader("Origin");
		if (origin != null && !this.originPolicy.allows(origin, request.getScheme(), request.getHeader("Host"))) {
			logger.debug("Refused handshake from origin {} to host {}", origin, request.getHeader("Host"));
			return new Refusal(HttpServletResponse.SC_FORBIDDEN, "Forbidden",
					"This origin may not open a chat socket on this host.", 0);
		}
		if (!this.accepting.getAsBoolean()) {
			return new Refusal(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Service Unavailable",
					"The server is shutting down.", 0);
		}
		if (!this.linked.getAsBoolean()) {
			return clusterUnreachable();
		}
		// Before the connection count, so that handshakes refused for it are paid for too: a client
		// reconnecting in a loop at its limit is churn as well.
		long retryAfter = this.rate.tryAcquire(address, this.clock.millis());
		if (retryAfter > 0) {
			logger.debug("Refused handshake from {}: over its handshake rate", address);
			return new Refusal(TOO_MANY_REQUESTS, "Too Many Requests",
					"Too many handshakes from this address; retry after " + retryAfter + " s.", retryAfter);
		}
		if (!this.addressLimiter.hasRoom(address)) {
			logger.debug("Refused handshake from {}: {} connections open, {} half-open", address,
					this.addressLimiter.open(address), this.addressLimiter.halfOpen(address));
			return new Refusal(TOO_MANY_REQUESTS, "Too Many Requests",
					"Too many connections from this address.", 0);
		}
		return null;
	}

	/** 503 with a {@code Retry-After}: the node cannot reach the rest of its cluster (Redis). */
	static Refusal clusterUnreachable() {
		return new Refusal(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Service Unavailable",
				"The chat cannot reach the rest of its cluster now.", CLUSTER_RETRY_AFTER_SECONDS);
	}

	/**
	 * A refused handshake, answered as an RFC 9457 problem detail.
	 * @param retryAfterSeconds the {@code Retry-After}, or 0 for none
	 */
	record Refusal(int status, String title, String detail, long retryAfterSeconds) {
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
