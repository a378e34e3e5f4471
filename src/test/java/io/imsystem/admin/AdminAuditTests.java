package io.imsystem.admin;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.imsystem.ChatProperties;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class AdminAuditTests {

	@Test
	void keepsChatAuditCapacityEntriesNewestFirst() {
		ChatProperties properties = new Binder(new MapConfigurationPropertySource(Map.of("chat.audit.capacity", "2")))
			.bindOrCreate("chat", ChatProperties.class);
		AdminAudit audit = new InMemoryAdminAudit(properties);
		for (long seconds = 1; seconds <= 3; seconds++) {
			audit.record(new AuditEntry(Instant.EPOCH.plusSeconds(seconds), "root", AuditAction.USER_TIMEOUT, "alice",
					null, seconds, null, null, "node-a"));
		}
		assertThat(audit.capacity()).isEqualTo(2);
		assertThat(audit.newest(10)).extracting(AuditEntry::newSeconds).containsExactly(3L, 2L);
	}

	@Test
	void theAuditKeepsAThousandEntriesByDefault() {
		ChatProperties properties = new Binder(new MapConfigurationPropertySource(Map.of()))
			.bindOrCreate("chat", ChatProperties.class);
		assertThat(new InMemoryAdminAudit(properties).capacity()).isEqualTo(1000);
	}

}
