package io.imsystem.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;

import org.junit.jupiter.api.Test;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.session.AddressLimiter;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** The {@code chat.tcp.*} settings, in a small context with the gateway and nothing else. */
class TcpConfigurationIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(Dependencies.class, TcpConfiguration.class)
		.withPropertyValues("chat.tcp.port=0");

	@Test
	void listensOnARandomPortWhenThePortIsZero() {
		this.runner.run((context) -> {
			TcpGateway gateway = context.getBean(TcpGateway.class);
			assertThat(gateway.isRunning()).isTrue();
			assertThat(gateway.port()).isPositive();
			try (LineClient client = LineClient.connect(gateway.port())) {
				assertThat(client.address()).startsWith("127.0.0.1:");
			}
		});
	}

	@Test
	void canBeTurnedOff() {
		this.runner.withPropertyValues("chat.tcp.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TcpGateway.class));
	}

	@Test
	void refusesAnInvalidPortNamingTheProperty() {
		this.runner.withPropertyValues("chat.tcp.port=70000")
			.run((context) -> assertThat(context).getFailure().rootCause().hasMessageContaining("chat.tcp.port"));
	}

	@Test
	void portInUseFailsStartUpNamingTheProperty() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.runner.withPropertyValues("chat.tcp.port=" + taken.getLocalPort())
				.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("chat.tcp.port"));
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ChatProperties.class)
	static class Dependencies {

		@Bean
		ChatService chatService() {
			return mock(ChatService.class);
		}

		@Bean
		Clock clock() {
			return Clock.systemUTC();
		}

		@Bean
		AddressLimiter addressLimiter() {
			return new AddressLimiter(50);
		}

	}

}
