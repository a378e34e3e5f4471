package io.imsystem.admin;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.imsystem.support.MutableClock;

import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AdminAuthenticationProviderTests {

	private final AdminAuthenticationProvider provider = new AdminAuthenticationProvider(
			User.withUsername("root").password("{noop}secret").roles("ADMIN").build(),
			new LoginThrottle(2, Duration.ofMinutes(1), new MutableClock(0)));

	@Test
	void theAdministratorLogsIn() {
		Authentication admin = this.provider.authenticate(login("root", "secret"));
		assertThat(admin.isAuthenticated()).isTrue();
		assertThat(admin.getName()).isEqualTo("root");
		assertThat(admin.getCredentials()).isNull();
		assertThat(admin.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_ADMIN");
	}

	@Test
	void aWrongUserAndAWrongPasswordAreOneFailureEach() {
		assertThatExceptionOfType(BadCredentialsException.class).isThrownBy(() -> this.provider.authenticate(login("rooot", "secret")));
		assertThatExceptionOfType(BadCredentialsException.class).isThrownBy(() -> this.provider.authenticate(login("root", "secre")));
		assertThatExceptionOfType(LoginThrottledException.class)
			.isThrownBy(() -> this.provider.authenticate(login("root", "secret")))
			.satisfies((throttled) -> assertThat(throttled.retryAfterSeconds()).isEqualTo(60));
	}

	@Test
	void printableNamesLoseControlAndFormatCharactersAndAreShortened() {
		assertThat(AdminAuthenticationProvider.printable("a\r\nb\u0000c\u202Ed\u200Be")).isEqualTo("abcde");
		assertThat(AdminAuthenticationProvider.printable("x".repeat(100))).hasSize(64);
	}

	private static UsernamePasswordAuthenticationToken login(String user, String password) {
		return UsernamePasswordAuthenticationToken.unauthenticated(user, password);
	}

}
