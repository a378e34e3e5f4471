package io.imsystem.socket;

import io.imsystem.ChatProperties;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.unit.DataSize;

/**
 * Hands {@code chat.websocket.buffer-size} to Tomcat's WebSocket code, which sizes three buffers
 * per connection (input, output and encoder, 8 KiB each by default) from a system property read
 * once, when its classes load. That happens when the web server starts, after the environment is
 * ready, so this runs for {@code main} and for tests alike. A value set with {@code -D} wins.
 */
public final class TomcatBufferSize implements EnvironmentPostProcessor {

	static final String PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (System.getProperty(PROPERTY) != null) {
			return;
		}
		DataSize size = Binder.get(environment)
			.bind("chat.websocket.buffer-size", DataSize.class)
			.orElse(DataSize.parse(ChatProperties.WebSocket.DEFAULT_BUFFER_SIZE));
		System.setProperty(PROPERTY, Long.toString(size.toBytes()));
	}

}
