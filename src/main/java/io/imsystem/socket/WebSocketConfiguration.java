package io.imsystem.socket;

import java.time.Clock;

import jakarta.servlet.DispatcherType;
import org.apache.coyote.ProtocolHandler;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.session.AddressLimiter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * Serves {@code /ws/chat} from a filter of its own ({@link HandshakeFilter}) that hands handshakes
 * to Tomcat's WebSocket container, rather than through {@code @EnableWebSocket}: the only origin
 * check is ours (Spring's own one answers a malformed {@code Origin} with a 500), and a handshake
 * skips the filter chain, the dispatcher and Spring's WebSocket adapter.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

	static final String PATH = "/ws/chat";

	@Bean
	ServletServerContainerFactoryBean webSocketContainer(ChatProperties properties) {
		ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
		// Buffers Tomcat allocates per connection, whether it ever receives a large message or not:
		// messages are read in parts of this size (ChatWebSocketEndpoint enforces the size limit on
		// the whole message), so an idle connection costs a few KiB, not the 24 KiB of two buffers
		// as large as the biggest frame allowed.
		int bufferSize = (int) properties.websocket().bufferSize().toBytes();
		// In characters, two bytes each.
		container.setMaxTextMessageBufferSize(bufferSize / 2);
		container.setMaxBinaryMessageBufferSize(bufferSize);
		container.setAsyncSendTimeout(properties.session().sendTimeLimit().toMillis());
		return container;
	}

	/**
	 * Turns off the NIO connector's asynchronous (vectored) writes. Tomcat 11.0.22 keeps one frame
	 * header buffer per WebSocket connection; when it closes a connection after a protocol error it
	 * first fails the write in flight and then builds its close frame in that buffer while the
	 * vectored write may still be sending it, so the client gets a close header followed by the
	 * other frame's payload. Measured: 39 of 2,000 violations racing the welcome got a corrupt
	 * stream with async writes; without them the window is a few instructions and 0 to 1 in 1,000
	 * ({@code ProtocolAbuseIntegrationTests.violationsRacingTheServersWritesRarelyCorruptTheStream}).
	 * Only the client that broke the protocol is affected.
	 */
	@Bean
	TomcatConnectorCustomizer noAsyncWrites() {
		return (connector) -> connector.setProperty("useAsyncIO", "false");
	}

	/**
	 * The connector's socket read and write buffers, 8 KiB each per connection by default, and the
	 * kernel's send buffer ({@code chat.websocket.socket-send-buffer}).
	 */
	@Bean
	TomcatConnectorCustomizer socketBuffers(ChatProperties properties) {
		String bytes = Long.toString(properties.websocket().bufferSize().toBytes());
		long sendBuffer = properties.websocket().socketSendBuffer().toBytes();
		return (connector) -> {
			connector.setProperty("socket.appReadBufSize", bytes);
			connector.setProperty("socket.appWriteBufSize", bytes);
			if (sendBuffer > 0) {
				connector.setProperty("socket.txBufSize", Long.toString(sendBuffer));
			}
		};
	}

	@Bean(destroyMethod = "close")
	RequestHeaderDeadline requestHeaderDeadline(ChatProperties properties, AddressLimiter addressLimiter, Clock clock) {
		return new RequestHeaderDeadline(addressLimiter, clock, properties.limits().headerTimeout());
	}

	/**
	 * The connector that shows every accepted connection to the {@link RequestHeaderDeadline} and
	 * serves WebSocket connections on a lane of their own ({@link ChatConnectorProtocol}), and the
	 * valve that tells the deadline when a request's headers arrived. The alternatives were weaker: Tomcat
	 * has no deadline for headers (its {@code connectionTimeout} restarts with each byte, and a
	 * short one would also cut slow uploads and long polls), and counting at the handshake never
	 * sees a request that is never finished.
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> requestHeaderDeadlineConnector(
			RequestHeaderDeadline deadline) {
		TomcatProtocolHandlerCustomizer<ProtocolHandler> handOver = (handler) -> {
			if (handler instanceof ChatConnectorProtocol protocol) {
				protocol.deadline(deadline);
			}
		};
		return (factory) -> {
			factory.setProtocol(ChatConnectorProtocol.class.getName());
			factory.addProtocolHandlerCustomizers(handOver);
			factory.addEngineValves(new HeadersReadValve(deadline));
		};
	}

	@Bean
	FilterRegistrationBean<HandshakeFilter> chatHandshakeFilter(ChatWebSocketEndpoint endpoint, ChatProperties properties,
			AddressLimiter addressLimiter, ChatService chat, Clock clock) {
		ChatProperties.Limits limits = properties.limits();
		HandshakeChecks checks = new HandshakeChecks(
				new OriginPolicy(properties.allowedOrigins(), properties.allowedHosts()), addressLimiter,
				chat::isAccepting, chat::isLinked, new HandshakeRate(limits.handshakesPerSecond(), limits.handshakeBurst()), clock);
		FilterRegistrationBean<HandshakeFilter> registration = new FilterRegistrationBean<>(
				new HandshakeFilter(endpoint, checks, chat, properties));
		registration.addUrlPatterns(PATH);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		// Before every other filter but FrameGuardFilter, security's included: see HandshakeFilter.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		return registration;
	}

	/** Just before the handshake filter, which it hands a request whose upgrade guards frames. */
	@Bean
	FilterRegistrationBean<FrameGuardFilter> frameGuardFilter() {
		FilterRegistrationBean<FrameGuardFilter> registration = new FilterRegistrationBean<>(new FrameGuardFilter());
		registration.addUrlPatterns(PATH);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

}
