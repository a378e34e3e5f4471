package io.imsystem.reliability;

import org.junit.jupiter.api.Test;

import io.imsystem.ImSystemApplication;
import io.imsystem.support.ChatClient;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stopped application context can be started again: Spring's test framework pauses the cached
 * contexts it is not using this way, and resumes them for the next test class that needs them.
 * The stop kicks everyone as a shutdown does; the start admits sessions again rather than
 * answering every handshake with 503 from then on.
 */
class RestartIntegrationTests {

	@Test
	void aStoppedAndRestartedServerAdmitsSessionsAgain() {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ImSystemApplication.class)
			.properties("server.port=0", "chat.tcp.enabled=false", "chat.admin.password=restart")
			.run();
		try {
			try (ChatClient before = ChatClient.join(port(context), "before")) {
				context.stop();
				assertThat(before.nextOfType("kicked").path("reason").asString()).isEqualTo("shutdown");
				assertThat(before.awaitClose().code()).isEqualTo(1001);
			}

			context.start();

			try (ChatClient after = ChatClient.join(port(context), "after")) {
				after.send("back again");
				assertThat(after.nextOfType("chat").path("text").asString()).isEqualTo("back again");
			}
		}
		finally {
			context.close();
		}
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

}
