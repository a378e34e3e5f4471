package io.imsystem.cluster;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Keeps Spring Boot's Redis auto-configuration (connection factory, templates, the {@code redis}
 * health component) out unless {@code chat.cluster.mode=redis}: a single node must start, and
 * report healthy, with no Redis anywhere. An import filter rather than
 * {@code spring.autoconfigure.exclude}, which cannot be undone for one mode and would replace a
 * user's own exclusions.
 */
public final class RedisAutoConfigurationFilter implements AutoConfigurationImportFilter, EnvironmentAware {

	private static final String REDIS_AUTO_CONFIGURATION = "org.springframework.boot.data.redis.autoconfigure.";

	private boolean redis;

	@Override
	public void setEnvironment(Environment environment) {
		this.redis = "redis".equalsIgnoreCase(environment.getProperty("chat.cluster.mode", "local").trim());
	}

	@Override
	public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata autoConfigurationMetadata) {
		boolean[] matches = new boolean[autoConfigurationClasses.length];
		for (int i = 0; i < autoConfigurationClasses.length; i++) {
			String candidate = autoConfigurationClasses[i];
			matches[i] = this.redis || candidate == null || !candidate.startsWith(REDIS_AUTO_CONFIGURATION);
		}
		return matches;
	}

}
