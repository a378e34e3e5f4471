package io.imsystem.idle;

import io.imsystem.ChatProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IdleConfiguration {

	@Bean
	IdlePolicy idlePolicy(ChatProperties properties) {
		ChatProperties.Idle idle = properties.idle();
		return new IdlePolicy(new InMemoryIdleSettingsStore(
				new IdlePolicy.Settings(idle.timeout(), idle.warningBefore(), 0)), idle.maxTimeout());
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
