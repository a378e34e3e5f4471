package io.imsystem.chat;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import io.imsystem.ChatProperties;
import io.imsystem.command.CommandParser;
import io.imsystem.metrics.ChatMetrics;
import io.imsystem.session.AddressLimiter;
import io.imsystem.session.SessionRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ChatConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	SessionRegistry sessionRegistry() {
		return new SessionRegistry();
	}

	@Bean
	ChatMetrics chatMetrics(MeterRegistry meters, SessionRegistry sessions) {
		return new ChatMetrics(meters, sessions::size);
	}

	@Bean
	AddressLimiter addressLimiter(ChatProperties properties) {
		return new AddressLimiter(properties.limits().connectionsPerAddress());
	}

	@Bean
	CommandParser commandParser(ChatProperties properties) {
		return new CommandParser(properties.limits().maxTextLength());
	}

}
