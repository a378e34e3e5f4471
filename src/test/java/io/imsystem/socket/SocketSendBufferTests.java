package io.imsystem.socket;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;

import io.imsystem.ChatProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code chat.websocket.socket-send-buffer} reaches the connector's sockets, or leaves them to the kernel. */
class SocketSendBufferTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesOnly.class);

	@Test
	void theDefaultFixesTheSendBufferAt64KB() {
		this.runner.run((context) -> assertThat(txBufSize(context.getBean(ChatProperties.class))).isEqualTo("65536"));
	}

	@Test
	void zeroLeavesTheSendBufferToTheKernel() {
		this.runner.withPropertyValues("chat.websocket.socket-send-buffer=0")
			.run((context) -> assertThat(txBufSize(context.getBean(ChatProperties.class))).isNull());
	}

	@Test
	void aSizeOutOfRangeFailsStartUpNamingTheProperty() {
		for (String size : new String[] { "1KB", "32MB" }) {
			this.runner.withPropertyValues("chat.websocket.socket-send-buffer=" + size)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.hasMessageContaining("chat.websocket.socket-send-buffer"));
		}
	}

	private static String txBufSize(ChatProperties properties) {
		Connector connector = new Connector("HTTP/1.1");
		new WebSocketConfiguration().socketBuffers(properties).customize(connector);
		Object value = connector.getProperty("socket.txBufSize");
		return (value != null) ? value.toString() : null;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ChatProperties.class)
	static class PropertiesOnly {

	}

}
