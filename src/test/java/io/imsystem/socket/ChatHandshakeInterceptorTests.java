package io.imsystem.socket;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.imsystem.session.AddressLimiter;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class ChatHandshakeInterceptorTests {

	private final ChatHandshakeInterceptor interceptor = new ChatHandshakeInterceptor(
			new OriginPolicy(List.of("http://localhost:*", "http://127.0.0.1:*")), new AddressLimiter(50), () -> true);

	@Test
	void decodesTheNameParameter() {
		assertThat(ChatHandshakeInterceptor.queryParameter("name=alice", "name")).isEqualTo("alice");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=%E5%BC%A0%E4%BC%9F", "name")).isEqualTo("张伟");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=stra%C3%9Fe", "name")).isEqualTo("straße");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=a%7Cb", "name")).isEqualTo("a|b");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=a%2Bb", "name")).isEqualTo("a+b");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=a+b", "name")).isEqualTo("a b");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=%20bob%20", "name")).isEqualTo(" bob ");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=a%3Db%26c", "name")).isEqualTo("a=b&c");
	}

	@Test
	void findsTheNameAmongOtherParameters() {
		assertThat(ChatHandshakeInterceptor.queryParameter("x=1&name=bob&y=2", "name")).isEqualTo("bob");
		assertThat(ChatHandshakeInterceptor.queryParameter("username=eve&name=bob", "name")).isEqualTo("bob");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=first&name=second", "name")).isEqualTo("first");
		assertThat(ChatHandshakeInterceptor.queryParameter("x=name%3Deve", "name")).isNull();
	}

	@Test
	void anEmptyOrValuelessNameIsEmpty() {
		assertThat(ChatHandshakeInterceptor.queryParameter("name=", "name")).isEmpty();
		assertThat(ChatHandshakeInterceptor.queryParameter("name", "name")).isEmpty();
		assertThat(ChatHandshakeInterceptor.queryParameter("name&x=1", "name")).isEmpty();
	}

	@Test
	void noNameParameterIsNull() {
		assertThat(ChatHandshakeInterceptor.queryParameter(null, "name")).isNull();
		assertThat(ChatHandshakeInterceptor.queryParameter("", "name")).isNull();
		assertThat(ChatHandshakeInterceptor.queryParameter("x=1", "name")).isNull();
		assertThat(ChatHandshakeInterceptor.queryParameter("names=bob", "name")).isNull();
	}

	@Test
	void aValueThatDoesNotDecodeIsKeptRaw() {
		assertThat(ChatHandshakeInterceptor.queryParameter("name=%zz", "name")).isEqualTo("%zz");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=bob%", "name")).isEqualTo("bob%");
		assertThat(ChatHandshakeInterceptor.queryParameter("name=%E5%BC", "name")).isNotNull();
	}

	@Test
	void passesTheRequestedNameToTheHandler() {
		MockHttpServletRequest request = upgrade();
		request.setQueryString("name=%E5%BC%A0%E4%BC%9F");
		Map<String, Object> attributes = new HashMap<>();
		MockHttpServletResponse response = new MockHttpServletResponse();
		assertThat(handshake(request, response, attributes)).isTrue();
		assertThat(attributes).containsEntry(ChatHandshakeInterceptor.REQUESTED_NAME, "张伟");
		assertThat(response.getStatus()).isEqualTo(200);
	}

	@Test
	void noNameMeansNoAttribute() {
		Map<String, Object> attributes = new HashMap<>();
		assertThat(handshake(upgrade(), new MockHttpServletResponse(), attributes)).isTrue();
		assertThat(attributes).doesNotContainKey(ChatHandshakeInterceptor.REQUESTED_NAME);
	}

	@Test
	void acceptsAllowedOriginsAndNoOrigin() {
		MockHttpServletRequest local = upgrade();
		local.addHeader("Origin", "http://localhost:3000");
		assertThat(handshake(local, new MockHttpServletResponse(), new HashMap<>())).isTrue();
		MockHttpServletRequest same = upgrade();
		same.addHeader("Origin", "http://chat.example.com:8080");
		assertThat(handshake(same, new MockHttpServletResponse(), new HashMap<>())).isTrue();
	}

	@Test
	void refusesAForeignOriginWith403() {
		for (String origin : List.of("http://evil.com", "null", "http://localhost.evil.com", "http://[zz", "::::")) {
			MockHttpServletRequest request = upgrade();
			request.addHeader("Origin", origin);
			request.setQueryString("name=bob");
			Map<String, Object> attributes = new HashMap<>();
			MockHttpServletResponse response = new MockHttpServletResponse();
			assertThat(handshake(request, response, attributes)).as(origin).isFalse();
			assertThat(response.getStatus()).as(origin).isEqualTo(HttpStatus.FORBIDDEN.value());
			assertThat(attributes).isEmpty();
		}
	}

	private boolean handshake(MockHttpServletRequest request, MockHttpServletResponse response,
			Map<String, Object> attributes) {
		return this.interceptor.beforeHandshake(new ServletServerHttpRequest(request),
				new ServletServerHttpResponse(response), null, attributes);
	}

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
