package io.imsystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's configuration table, kept by hand, lists exactly the properties of
 * {@link ChatProperties}, as the configuration processor found them (with the build's metadata).
 */
class ConfigurationTableTests {

	private static final Pattern ROW = Pattern.compile("^\\| `(chat\\.[a-z0-9.-]+)` \\|", Pattern.MULTILINE);

	@Test
	void theReadmeHasOneRowPerChatProperty() throws IOException {
		JsonNode metadata = JsonMapper.builder()
			.build()
			.readTree(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
		Set<String> properties = new TreeSet<>();
		for (JsonNode property : metadata.path("properties")) {
			String name = property.path("name").asString();
			if (name.startsWith("chat.")) {
				properties.add(name);
			}
		}
		Set<String> rows = new TreeSet<>();
		Matcher row = ROW.matcher(Files.readString(Path.of("README.md")));
		while (row.find()) {
			rows.add(row.group(1));
		}
		assertThat(properties).as("properties of ChatProperties").isNotEmpty().contains("chat.cluster.node-id");
		assertThat(rows).as("rows of the README's configuration table").isEqualTo(properties);
	}

}
