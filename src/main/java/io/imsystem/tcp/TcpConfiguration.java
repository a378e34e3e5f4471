package io.imsystem.tcp;

import java.time.Clock;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.session.AddressLimiter;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The line-protocol TCP gateway, unless {@code chat.tcp.enabled} is false. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "chat.tcp.enabled", matchIfMissing = true)
class TcpConfiguration {

	@Bean
	TcpGateway tcpGateway(ChatService chat, ChatProperties properties, Clock clock, AddressLimiter addressLimiter,
			ChatMetrics metrics) {
		TcpGateway gateway = new TcpGateway(chat, properties, clock, addressLimiter);
		metrics.lineConnections(gateway::openConnections);
		return gateway;
	}

}
