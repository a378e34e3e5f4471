package io.imsystem.socket;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OriginPolicyTests {

	private static final List<String> DEFAULTS = List.of("http://localhost:*", "http://127.0.0.1:*");

	private static final List<String> HOSTS = List.of("localhost", "127.0.0.1", "[::1]", "chat.example.com");

	private final OriginPolicy policy = new OriginPolicy(DEFAULTS, HOSTS);

	@ParameterizedTest
	@ValueSource(strings = { "http://localhost", "http://localhost:80", "http://localhost:8080", "http://localhost:65535",
			"http://LOCALHOST:3000", "HTTP://localhost:3000", "http://127.0.0.1", "http://127.0.0.1:1",
			"http://127.0.0.1:8080" })
	void allowsLocalhostAndLoopbackOnAnyPortOrNone(String origin) {
		assertThat(allows(origin)).as(origin).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://localhost.evil.com", "http://localhost:8080.evil.com", "http://localhost.:8080",
			"http://evil-localhost", "http://evil.localhost", "http://localhost@evil.com", "http://localhost:8080@evil.com",
			"http://evil.com#localhost", "http://127.0.0.1.evil.com", "http://127.0.0.1:8080.evil.com",
			"http://127.0.0.10:8080", "http://127.0.0.2", "http://0.0.0.0:8080", "http://evil.com",
			"http://example.com:8080", "http://[::1]:8080", "http://[::1]" })
	void refusesLookAlikesAndForeignHosts(String origin) {
		assertThat(allows(origin)).as(origin).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "https://localhost", "https://localhost:8080", "https://127.0.0.1:8080", "ws://localhost:8080",
			"file://localhost" })
	void schemeMustMatch(String origin) {
		assertThat(allows(origin)).as(origin).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "null", "", " ", "localhost", "localhost:8080", "//localhost:8080", "http://",
			"http://:8080", "http://localhost:", "http://localhost:0", "http://localhost:65536", "http://localhost:99999",
			"http://localhost:123456", "http://localhost:-1", "http://localhost:80a", "http://localhost/",
			"http://localhost:8080/", "http://localhost:8080/path", "http://localhost?x", "http://localhost:*",
			"http://[zz", "http://[::1", "http://[]", "::::", "http:///localhost", "http://local host",
			"http://localhost\u0000", "http://localhost:8080, http://evil.com", "http://lоcalhost" })
	void refusesMalformedOrigins(String origin) {
		assertThat(allows(origin)).as(origin).isFalse();
	}

	@Test
	void allowsTheServersOwnOrigin() {
		assertThat(this.policy.allows("http://chat.example.com", "http", "chat.example.com")).isTrue();
		assertThat(this.policy.allows("http://chat.example.com:8080", "http", "chat.example.com:8080")).isTrue();
		assertThat(this.policy.allows("http://Chat.Example.com:8080", "http", "chat.example.COM:8080")).isTrue();
		assertThat(this.policy.allows("https://chat.example.com", "https", "chat.example.com")).isTrue();
		assertThat(this.policy.allows("https://chat.example.com", "https", "chat.example.com:443")).isTrue();
		assertThat(this.policy.allows("http://chat.example.com:80", "http", "chat.example.com")).isTrue();
		assertThat(this.policy.allows("http://[::1]:8080", "http", "[::1]:8080")).isTrue();
	}

	@Test
	void sameOriginMeansSameSchemeHostAndPort() {
		assertThat(this.policy.allows("http://chat.example.com:8081", "http", "chat.example.com:8080")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com", "http", "chat.example.com:8080")).isFalse();
		assertThat(this.policy.allows("https://chat.example.com", "http", "chat.example.com")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com", "https", "chat.example.com")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com.evil.com", "http", "chat.example.com")).isFalse();
		assertThat(this.policy.allows("http://evil.com", "http", "chat.example.com")).isFalse();
	}

	@Test
	void aHostThatIsNotOneOfTheServersNamesIsNotASameOrigin() {
		// DNS rebinding: evil.com resolves to this server, and the page's requests agree with its Host.
		assertThat(this.policy.allows("http://evil.com:8080", "http", "evil.com:8080")).isFalse();
		assertThat(this.policy.allows("http://evil.com", "http", "evil.com")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com.evil.com:8080", "http", "chat.example.com.evil.com:8080"))
			.isFalse();
		assertThat(this.policy.allows("http://[::1]:8080", "http", "[::1]:8080")).isTrue();
	}

	@Test
	void allowedHostsAreNormalised() {
		OriginPolicy policy = new OriginPolicy(List.of(), List.of(" Chat.Example.COM ", "::1"));
		assertThat(policy.allows("http://chat.example.com:8080", "http", "chat.example.com:8080")).isTrue();
		assertThat(policy.allows("http://[::1]:8080", "http", "[::1]:8080")).isTrue();
		assertThat(policy.allows("http://localhost:8080", "http", "localhost:8080")).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://localhost", "localhost:8080", "*", "", "local host", "[zz]" })
	void refusesMalformedAllowedHosts(String entry) {
		assertThatIllegalArgumentException().isThrownBy(() -> new OriginPolicy(DEFAULTS, List.of(entry)))
			.withMessageContaining("chat.allowed-hosts");
	}

	@Test
	void aMissingOrMalformedHostHeaderIsNotASameOrigin() {
		assertThat(this.policy.allows("http://chat.example.com", "http", null)).isFalse();
		assertThat(this.policy.allows("http://chat.example.com", null, "chat.example.com")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com", "http", "chat.example.com:99999")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com", "http", "chat.example.com/x")).isFalse();
		assertThat(this.policy.allows("http://chat.example.com", "http", "")).isFalse();
	}

	@Test
	void aConfiguredIpv6OriginIsAllowed() {
		OriginPolicy ipv6 = new OriginPolicy(List.of("http://[::1]:*"), HOSTS);
		assertThat(ipv6.allows("http://[::1]:8080", "http", "127.0.0.1:8080")).isTrue();
		assertThat(ipv6.allows("http://[::1]", "http", "127.0.0.1:8080")).isTrue();
		assertThat(ipv6.allows("http://[::2]:8080", "http", "127.0.0.1:8080")).isFalse();
		assertThat(ipv6.allows("http://localhost:8080", "http", "127.0.0.1:8080")).isFalse();
	}

	@Test
	void aConfiguredPortIsExact() {
		OriginPolicy exact = new OriginPolicy(List.of("https://chat.example.com", "http://app.example.com:3000"), HOSTS);
		assertThat(exact.allows("https://chat.example.com", "http", "internal:8080")).isTrue();
		assertThat(exact.allows("https://chat.example.com:443", "http", "internal:8080")).isTrue();
		assertThat(exact.allows("https://chat.example.com:8443", "http", "internal:8080")).isFalse();
		assertThat(exact.allows("http://chat.example.com", "http", "internal:8080")).isFalse();
		assertThat(exact.allows("http://app.example.com:3000", "http", "internal:8080")).isTrue();
		assertThat(exact.allows("http://app.example.com:3001", "http", "internal:8080")).isFalse();
		assertThat(exact.allows("http://localhost:3000", "http", "internal:8080")).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "localhost", "http://localhost/", "http://*", "*", "http://localhost:**", "ftp://localhost" })
	void refusesMalformedConfiguration(String entry) {
		assertThatIllegalArgumentException().isThrownBy(() -> new OriginPolicy(List.of(entry), HOSTS))
			.withMessageContaining("chat.allowed-origins");
	}

	private boolean allows(String origin) {
		// The request came in on another host, so only the configured origins can match.
		return this.policy.allows(origin, "http", "chat.example.com:8080");
	}

}
