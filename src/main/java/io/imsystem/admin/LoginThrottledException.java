package io.imsystem.admin;

import org.springframework.security.core.AuthenticationException;

/** A login refused unchecked, because its address failed too often: answered with 429. */
final class LoginThrottledException extends AuthenticationException {

	private final long retryAfterSeconds;

	LoginThrottledException(long retryAfterSeconds) {
		super("too many failed logins from this address");
		this.retryAfterSeconds = retryAfterSeconds;
	}

	long retryAfterSeconds() {
		return this.retryAfterSeconds;
	}

}
