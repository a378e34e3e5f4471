package io.imsystem.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Checks the administrator's Basic login. The user name and the password are both compared in
 * constant time, as SHA-256 digests (equal lengths whatever was sent), and both always, so a wrong
 * user costs what a wrong password costs and the answer's timing tells nothing about which was
 * wrong. Spring's own provider hashes a dummy password with bcrypt for an unknown user only, which
 * made a wrong user name twenty times slower than a wrong password. Every failure is logged with
 * the user name tried and the remote address (never the password), and each address's failures are
 * limited by a {@link LoginThrottle}.
 */
final class AdminAuthenticationProvider implements AuthenticationProvider {

	private static final Logger logger = LoggerFactory.getLogger(AdminAuthenticationProvider.class);

	private static final int MAX_LOGGED_NAME = 64;

	private static final String NOOP = "{noop}";

	private final String username;

	private final byte[] usernameDigest;

	private final byte[] passwordDigest;

	private final List<GrantedAuthority> authorities;

	private final LoginThrottle throttle;

	/**
	 * @param admin the administrator, whose password must be stored as {@code {noop}} plain text
	 * (it comes from the configuration, so hashing it would only slow every admin request down)
	 */
	AdminAuthenticationProvider(UserDetails admin, LoginThrottle throttle) {
		String stored = admin.getPassword();
		if (stored == null || !stored.startsWith(NOOP)) {
			throw new IllegalStateException("the administrator's password must be stored as {noop}");
		}
		this.username = admin.getUsername();
		this.usernameDigest = digest(this.username);
		this.passwordDigest = digest(stored.substring(NOOP.length()));
		this.authorities = List.copyOf(admin.getAuthorities());
		this.throttle = throttle;
	}

	@Override
	public Authentication authenticate(Authentication authentication) {
		String address = (authentication.getDetails() instanceof WebAuthenticationDetails details
				&& details.getRemoteAddress() != null) ? details.getRemoteAddress() : "unknown";
		LoginThrottle.Decision decision = this.throttle.tryLogin(address);
		if (!decision.allowed()) {
			throw new LoginThrottledException(decision.retryAfterSeconds());
		}
		String user = authentication.getName();
		Object credentials = authentication.getCredentials();
		boolean userMatches = MessageDigest.isEqual(digest(user), this.usernameDigest);
		boolean passwordMatches = MessageDigest.isEqual(digest((credentials != null) ? credentials.toString() : ""),
				this.passwordDigest);
		if (userMatches & passwordMatches) {
			this.throttle.succeeded(address);
			return UsernamePasswordAuthenticationToken.authenticated(this.username, null, this.authorities);
		}
		logger.warn("Failed admin login for user \"{}\" from {}", printable(user), address);
		if (decision.lastTry()) {
			logger.warn("Admin logins from {} are refused for a while: too many failures", address);
		}
		throw new BadCredentialsException("Bad credentials");
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
	}

	/**
	 * A user name as it may go into a log line: without control or format characters (a newline
	 * would forge a log line, a bidi override would disguise one) and at most 64 characters.
	 */
	static String printable(String name) {
		StringBuilder printable = new StringBuilder();
		name.codePoints().filter((codePoint) -> {
			int type = Character.getType(codePoint);
			return type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
					&& type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
		}).limit(MAX_LOGGED_NAME).forEach(printable::appendCodePoint);
		return printable.toString();
	}

	private static byte[] digest(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java platform has SHA-256", ex);
		}
	}

}
