package io.imsystem.socket;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code chat.websocket.buffer-size} reaches Tomcat's WebSocket buffers; an explicit -D wins. */
class TomcatBufferSizeTests {

	private String saved;

	@BeforeEach
	void save() {
		this.saved = System.getProperty(TomcatBufferSize.PROPERTY);
		System.clearProperty(TomcatBufferSize.PROPERTY);
	}

	@AfterEach
	void restore() {
		if (this.saved != null) {
			System.setProperty(TomcatBufferSize.PROPERTY, this.saved);
		}
		else {
			System.clearProperty(TomcatBufferSize.PROPERTY);
		}
	}

	@Test
	void theDefaultIsHalfAKibibyte() {
		postProcess(Map.of());
		assertThat(System.getProperty(TomcatBufferSize.PROPERTY)).isEqualTo("512");
	}

	@Test
	void theConfiguredSizeIsPassedOn() {
		postProcess(Map.of("chat.websocket.buffer-size", "2KB"));
		assertThat(System.getProperty(TomcatBufferSize.PROPERTY)).isEqualTo("2048");
	}

	@Test
	void aSystemPropertySetByHandWins() {
		System.setProperty(TomcatBufferSize.PROPERTY, "4096");
		postProcess(Map.of("chat.websocket.buffer-size", "2KB"));
		assertThat(System.getProperty(TomcatBufferSize.PROPERTY)).isEqualTo("4096");
	}

	private static void postProcess(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		new TomcatBufferSize().postProcessEnvironment(environment, new SpringApplication());
	}

}
