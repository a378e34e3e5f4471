package io.imsystem.idle;

import io.imsystem.ChatProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IdleConfiguration {

	@Bean
	IdlePolicy idlePolicy(ChatProperties properties) {
		return new IdlePolicy(properties.idle());
	}

	@Bean
	IdleTracker idleTracker(IdlePolicy policy) {
		return new IdleTracker(policy);
	}

	@Bean
	KickHistory kickHistory(ChatProperties properties) {
		return new InMemoryKickHistory(properties.kickHistory().capacity());
	}

}
