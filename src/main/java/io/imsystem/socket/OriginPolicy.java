package io.imsystem.socket;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides which browser origins may open a chat socket: the server's own origin, plus the
 * configured {@code scheme://host[:port]} entries, where port {@code *} means any port or none.
 * The server's own origin is the request's {@code Host} only when that is one of the names the
 * server is known by ({@code chat.allowed-hosts}): a page on {@code evil.com} whose name an
 * attacker rebinds to this server's address (DNS rebinding) sends {@code Host: evil.com} and
 * {@code Origin: http://evil.com}, which agree, and must not pass as same-origin.
 * Hosts match exactly: {@code http://localhost:*} never allows {@code http://localhost.evil.com}.
 * Anything that is not a plain {@code http(s)://host[:port]} origin, including {@code null}, is
 * refused rather than parsed leniently.
 */
final class OriginPolicy {

	private static final Pattern ORIGIN = Pattern
		.compile("(https?)://(\\[[0-9a-f:.]+\\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\\d{1,5}))?");

	private static final Pattern ALLOWED = Pattern
		.compile("(https?)://(\\[[0-9a-f:.]+\\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\\d{1,5}|\\*))?");

	private static final Pattern HOST = Pattern.compile("\\[[0-9a-f:.]+\\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?");

	private final List<Allowed> allowed;

	private final Set<String> hosts;

	/**
	 * @param allowedOrigins the {@code chat.allowed-origins} entries
	 * @param allowedHosts the names a same-origin page may reach the server by, without port
	 */
	OriginPolicy(List<String> allowedOrigins, List<String> allowedHosts) {
		this.allowed = allowedOrigins.stream().map(OriginPolicy::parseAllowed).toList();
		this.hosts = allowedHosts.stream().map(OriginPolicy::parseHost).collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * Whether a request with this {@code Origin} may connect.
	 * @param origin the header's value
	 * @param requestScheme the scheme the request came in on ({@code http} or {@code https})
	 * @param requestHost the request's {@code Host} header, or {@code null}
	 */
	boolean allows(String origin, String requestScheme, String requestHost) {
		Matcher matcher = ORIGIN.matcher(origin.toLowerCase(Locale.ROOT));
		if (!matcher.matches()) {
			return false;
		}
		String scheme = matcher.group(1);
		String host = matcher.group(2);
		int port = port(scheme, matcher.group(3));
		if (port < 0) {
			return false;
		}
		if (isSameOrigin(scheme, host, port, requestScheme, requestHost)) {
			return true;
		}
		for (Allowed entry : this.allowed) {
			if (entry.scheme.equals(scheme) && entry.host.equals(host) && (entry.anyPort || entry.port == port)) {
				return true;
			}
		}
		return false;
	}

	private boolean isSameOrigin(String scheme, String host, int port, String requestScheme, String requestHost) {
		if (requestHost == null || requestScheme == null || !this.hosts.contains(host)) {
			return false;
		}
		String normalizedScheme = switch (requestScheme.toLowerCase(Locale.ROOT)) {
			case "ws", "http" -> "http";
			case "wss", "https" -> "https";
			default -> "";
		};
		Matcher matcher = ORIGIN.matcher(normalizedScheme + "://" + requestHost.toLowerCase(Locale.ROOT));
		return matcher.matches() && scheme.equals(normalizedScheme) && host.equals(matcher.group(2))
				&& port == port(normalizedScheme, matcher.group(3));
	}

	/** The port, the scheme's default when absent, or -1 when out of range. */
	private static int port(String scheme, String port) {
		if (port == null) {
			return scheme.equals("https") ? 443 : 80;
		}
		int value = Integer.parseInt(port);
		return (value >= 1 && value <= 65535) ? value : -1;
	}

	private static Allowed parseAllowed(String entry) {
		Matcher matcher = ALLOWED.matcher(entry.strip().toLowerCase(Locale.ROOT));
		if (!matcher.matches()) {
			throw new IllegalArgumentException(
					"chat.allowed-origins entry '" + entry + "' is not of the form scheme://host[:port|:*]");
		}
		String scheme = matcher.group(1);
		String port = matcher.group(3);
		boolean anyPort = "*".equals(port);
		return new Allowed(scheme, matcher.group(2), anyPort, anyPort ? 0 : port(scheme, port));
	}

	/** A host name or address as an origin spells it: lower case, an IPv6 address in brackets. */
	private static String parseHost(String entry) {
		String host = entry.strip().toLowerCase(Locale.ROOT);
		if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
			host = "[" + host + "]";
		}
		if (!HOST.matcher(host).matches()) {
			throw new IllegalArgumentException(
					"chat.allowed-hosts entry '" + entry + "' is not a host name or address (no scheme, no port)");
		}
		return host;
	}

	private record Allowed(String scheme, String host, boolean anyPort, int port) {
	}

}
