package io.imsystem.socket;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.imsystem.session.AddressLimiter;
import io.imsystem.support.MutableClock;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeChecksTests {

	private final AddressLimiter addressLimiter = new AddressLimiter(2);

	private boolean accepting = true;

	private final MutableClock clock = new MutableClock(1_000_000);

	private final HandshakeChecks checks = new HandshakeChecks(
			new OriginPolicy(List.of("http://localhost:*", "http://127.0.0.1:*"), List.of("localhost", "chat.example.com")),
			this.addressLimiter, () -> this.accepting, new HandshakeRate(1, 5), this.clock);

	@Test
	void decodesTheNameParameter() {
		assertThat(HandshakeChecks.queryParameter("name=alice", "name")).isEqualTo("alice");
		assertThat(HandshakeChecks.queryParameter("name=%E5%BC%A0%E4%BC%9F", "name")).isEqualTo("张伟");
		assertThat(HandshakeChecks.queryParameter("name=stra%C3%9Fe", "name")).isEqualTo("straße");
		assertThat(HandshakeChecks.queryParameter("name=a%7Cb", "name")).isEqualTo("a|b");
		assertThat(HandshakeChecks.queryParameter("name=a%2Bb", "name")).isEqualTo("a+b");
		assertThat(HandshakeChecks.queryParameter("name=a+b", "name")).isEqualTo("a b");
		assertThat(HandshakeChecks.queryParameter("name=%20bob%20", "name")).isEqualTo(" bob ");
		assertThat(HandshakeChecks.queryParameter("name=a%3Db%26c", "name")).isEqualTo("a=b&c");
	}

	@Test
	void findsTheNameAmongOtherParameters() {
		assertThat(HandshakeChecks.queryParameter("x=1&name=bob&y=2", "name")).isEqualTo("bob");
		assertThat(HandshakeChecks.queryParameter("username=eve&name=bob", "name")).isEqualTo("bob");
		assertThat(HandshakeChecks.queryParameter("name=first&name=second", "name")).isEqualTo("first");
		assertThat(HandshakeChecks.queryParameter("x=name%3Deve", "name")).isNull();
	}

	@Test
	void anEmptyOrValuelessNameIsEmpty() {
		assertThat(HandshakeChecks.queryParameter("name=", "name")).isEmpty();
		assertThat(HandshakeChecks.queryParameter("name", "name")).isEmpty();
		assertThat(HandshakeChecks.queryParameter("name&x=1", "name")).isEmpty();
	}

	@Test
	void noNameParameterIsNull() {
		assertThat(HandshakeChecks.queryParameter(null, "name")).isNull();
		assertThat(HandshakeChecks.queryParameter("", "name")).isNull();
		assertThat(HandshakeChecks.queryParameter("x=1", "name")).isNull();
		assertThat(HandshakeChecks.queryParameter("names=bob", "name")).isNull();
	}

	@Test
	void aValueThatDoesNotDecodeIsKeptRaw() {
		assertThat(HandshakeChecks.queryParameter("name=%zz", "name")).isEqualTo("%zz");
		assertThat(HandshakeChecks.queryParameter("name=bob%", "name")).isEqualTo("bob%");
		assertThat(HandshakeChecks.queryParameter("name=%E5%BC", "name")).isNotNull();
	}

	@Test
	void acceptsAllowedOriginsAndNoOrigin() {
		assertThat(status(upgrade(), ADDRESS)).isZero();
		MockHttpServletRequest local = upgrade();
		local.addHeader("Origin", "http://localhost:3000");
		assertThat(status(local, ADDRESS)).isZero();
		MockHttpServletRequest same = upgrade();
		same.addHeader("Origin", "http://chat.example.com:8080");
		assertThat(status(same, ADDRESS)).isZero();
	}

	@Test
	void refusesAForeignOriginWith403() {
		for (String origin : List.of("http://evil.com", "null", "http://localhost.evil.com", "http://[zz", "::::")) {
			MockHttpServletRequest request = upgrade();
			request.addHeader("Origin", origin);
			request.setQueryString("name=bob");
			assertThat(status(request, ADDRESS)).as(origin).isEqualTo(403);
		}
	}

	@Test
	void refusesAnAddressAtItsLimitWith429() {
		this.addressLimiter.tryAcquire(ADDRESS);
		assertThat(status(upgrade(), ADDRESS)).isZero();
		this.addressLimiter.tryAcquire(ADDRESS);
		assertThat(status(upgrade(), ADDRESS)).isEqualTo(429);
		assertThat(status(upgrade(), "127.0.0.9")).isZero();
		this.addressLimiter.release(ADDRESS);
		assertThat(status(upgrade(), ADDRESS)).isZero();
	}

	@Test
	void refusesEveryoneWith503OnceShutdownBegan() {
		this.accepting = false;
		assertThat(status(upgrade(), ADDRESS)).isEqualTo(503);
	}

	@Test
	void readsKeysAndHeaderTokensAsRfc6455Does() {
		assertThat(HandshakeFilter.validKey("dGhlIHNhbXBsZSBub25jZQ==")).isTrue();
		assertThat(HandshakeFilter.validKey(" dGhlIHNhbXBsZSBub25jZQ== ")).isTrue();
		assertThat(HandshakeFilter.validKey(null)).isFalse();
		assertThat(HandshakeFilter.validKey("")).isFalse();
		assertThat(HandshakeFilter.validKey("c2hvcnQ=")).isFalse();
		assertThat(HandshakeFilter.validKey("not base64 at all!")).isFalse();
		MockHttpServletRequest request = upgrade();
		request.addHeader("Connection", "keep-alive, Upgrade");
		assertThat(HandshakeFilter.hasToken(request, "connection", "upgrade")).isTrue();
		assertThat(HandshakeFilter.hasToken(request, "Upgrade", "WebSocket")).isTrue();
		assertThat(HandshakeFilter.hasToken(request, "Sec-WebSocket-Version", "13")).isFalse();
	}

	@Test
	void refusesAnAddressOverItsHandshakeRateWith429AndRetryAfter() {
		for (int i = 0; i < 5; i++) {
			assertThat(status(upgrade(), "10.0.0.1")).as("handshake %d of the burst", i).isZero();
		}
		HandshakeChecks.Refusal refusal = this.checks.refusal(upgrade(), "10.0.0.1");
		assertThat(refusal.status()).isEqualTo(429);
		assertThat(refusal.retryAfterSeconds()).isEqualTo(1);
		assertThat(status(upgrade(), "10.0.0.2")).isZero();
		this.clock.advance(1000);
		assertThat(status(upgrade(), "10.0.0.1")).isZero();
		assertThat(status(upgrade(), "10.0.0.1")).isEqualTo(429);
	}

	@Test
	void aHostThatIsNotTheServersIsNotItsOwnOrigin() {
		MockHttpServletRequest rebound = upgrade();
		rebound.removeHeader("Host");
		rebound.addHeader("Host", "evil.com:8080");
		rebound.addHeader("Origin", "http://evil.com:8080");
		assertThat(status(rebound, ADDRESS)).isEqualTo(403);
		MockHttpServletRequest script = upgrade();
		script.removeHeader("Host");
		script.addHeader("Host", "evil.com:8080");
		assertThat(status(script, ADDRESS)).isZero();
	}

	private int status(MockHttpServletRequest request, String address) {
		HandshakeChecks.Refusal refusal = this.checks.refusal(request, address);
		return (refusal != null) ? refusal.status() : 0;
	}

	private static final String ADDRESS = "127.0.0.1";

	private static MockHttpServletRequest upgrade() {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/ws/chat");
		request.setServerName("chat.example.com");
		request.setServerPort(8080);
		request.addHeader("Host", "chat.example.com:8080");
		request.addHeader("Upgrade", "websocket");
		request.addHeader("Connection", "Upgrade");
		return request;
	}

}
