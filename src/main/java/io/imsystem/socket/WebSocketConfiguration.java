package io.imsystem.socket;

import java.util.List;
import java.util.Map;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.session.AddressLimiter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * Maps {@code /ws/chat} directly, rather than through {@code @EnableWebSocket}, so that the only
 * origin check is ours: Spring's own one answers a malformed {@code Origin} with a 500.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

	static final String PATH = "/ws/chat";

	@Bean
	ServletServerContainerFactoryBean webSocketContainer(ChatProperties properties) {
		ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
		// Characters: never more than bytes, so frames above the byte limit are cut off early. Whole
		// messages only: reading frames in parts to save buffer memory let a frame declaring a huge
		// length stream past the limit without a 1009 (ProtocolAbuseIntegrationTests).
		container.setMaxTextMessageBufferSize(properties.limits().maxFrameBytes());
		container.setMaxBinaryMessageBufferSize(properties.limits().maxFrameBytes());
		container.setAsyncSendTimeout(properties.session().sendTimeLimit().toMillis());
		return container;
	}

	/**
	 * Turns off the NIO connector's asynchronous (vectored) writes. Tomcat 11.0.22 keeps one frame
	 * header buffer per WebSocket connection; when it closes a connection after a protocol error it
	 * first fails the write in flight and then builds its close frame in that buffer while the
	 * vectored write may still be sending it, so the client gets a close header followed by the
	 * other frame's payload. Measured: 39 of 2,000 violations racing the welcome got a corrupt
	 * stream with async writes, 0 of 2,000 without
	 * ({@code ProtocolAbuseIntegrationTests.violationsRacingTheServersWritesNeverCorruptTheStream}).
	 */
	@Bean
	TomcatConnectorCustomizer noAsyncWrites() {
		return (connector) -> connector.setProperty("useAsyncIO", "false");
	}

	@Bean
	WebSocketHttpRequestHandler chatRequestHandler(ChatWebSocketHandler handler, ChatProperties properties,
			AddressLimiter addressLimiter, ChatService chat) {
		WebSocketHttpRequestHandler requestHandler = new WebSocketHttpRequestHandler(handler,
				new DefaultHandshakeHandler());
		requestHandler.setHandshakeInterceptors(List.of(
				new ChatHandshakeInterceptor(new OriginPolicy(properties.allowedOrigins()), addressLimiter, chat::isAccepting)));
		return requestHandler;
	}

	@Bean
	@ConditionalOnProperty(name = "chat.websocket.compression", havingValue = "false", matchIfMissing = true)
	FilterRegistrationBean<NoCompressionFilter> noCompressionFilter() {
		FilterRegistrationBean<NoCompressionFilter> registration = new FilterRegistrationBean<>(new NoCompressionFilter());
		registration.addUrlPatterns(PATH);
		return registration;
	}

	/**
	 * Keeps handshakes out of the security filter chain. {@code /ws/chat} is open to everyone and
	 * guarded by its own origin, address and shutdown checks ({@link ChatHandshakeInterceptor}); the
	 * chain's dozen filters only added time to every handshake, about a third of its CPU
	 * (profiled in docs/benchmarks.md).
	 */
	@Bean
	WebSecurityCustomizer chatHandshakeOutsideSecurity() {
		return (web) -> web.ignoring().requestMatchers(PATH);
	}

	@Bean
	SimpleUrlHandlerMapping chatHandlerMapping(WebSocketHttpRequestHandler chatRequestHandler) {
		SimpleUrlHandlerMapping mapping = new SimpleUrlHandlerMapping(Map.of(PATH, chatRequestHandler));
		mapping.setOrder(1);
		return mapping;
	}

}
