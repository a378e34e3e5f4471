package io.imsystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PresencePropertiesTests {

	@Test
	void theWindowIsATenthOfASecondAndNamesGoUpToAThousandOnline() {
		ChatProperties.Presence presence = bind(Map.of());
		assertThat(presence.window()).isEqualTo(Duration.ofMillis(100));
		assertThat(presence.namesLimit()).isEqualTo(1000);
	}

	@Test
	void bothAreConfigurableAndAWindowOfNothingIsRefused() {
		ChatProperties.Presence presence = bind(Map.of("chat.presence.window", "250ms", "chat.presence.names-limit", "50"));
		assertThat(presence.window()).isEqualTo(Duration.ofMillis(250));
		assertThat(presence.namesLimit()).isEqualTo(50);
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> bind(Map.of("chat.presence.window", "0s")))
			.havingRootCause()
			.withMessageContaining("chat.presence.window");
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> bind(Map.of("chat.presence.names-limit", "0")))
			.havingRootCause()
			.withMessageContaining("chat.presence.names-limit");
	}

	@Test
	void theMetadataMarksTheRemovedBroadcastLimitAsReplacedByTheNamesLimit() throws IOException {
		JsonNode metadata = JsonMapper.builder()
			.build()
			.readTree(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
		JsonNode broadcastLimit = null;
		for (JsonNode property : metadata.path("properties")) {
			if (property.path("name").asString().equals("chat.presence.broadcast-limit")) {
				broadcastLimit = property;
			}
		}
		assertThat(broadcastLimit).isNotNull();
		assertThat(broadcastLimit.path("deprecated").asBoolean()).isTrue();
		assertThat(broadcastLimit.path("deprecation").path("level").asString()).isEqualTo("error");
		assertThat(broadcastLimit.path("deprecation").path("replacement").asString()).isEqualTo("chat.presence.names-limit");
	}

	private static ChatProperties.Presence bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("chat", ChatProperties.class)
			.presence();
	}

}
