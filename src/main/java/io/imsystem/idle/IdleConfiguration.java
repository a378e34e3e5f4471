package io.imsystem.idle;

import io.imsystem.ChatProperties;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IdleConfiguration {

	/** The settings of one node; cluster mode keeps them in Redis instead. */
	@Bean
	@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
	IdleSettingsStore idleSettingsStore(ChatProperties properties) {
		ChatProperties.Idle idle = properties.idle();
		return new InMemoryIdleSettingsStore(new IdlePolicy.Settings(idle.timeout(), idle.warningBefore(), 0));
	}

	@Bean
	IdlePolicy idlePolicy(IdleSettingsStore store, ChatProperties properties) {
		return new IdlePolicy(store, properties.idle().maxTimeout());
	}

	@Bean
	IdleTracker idleTracker(IdlePolicy policy) {
		return new IdleTracker(policy);
	}

	@Bean
	@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
	KickHistory kickHistory(ChatProperties properties) {
		return new InMemoryKickHistory(properties.kickHistory().capacity());
	}

}
