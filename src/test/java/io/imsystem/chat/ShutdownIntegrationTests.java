package io.imsystem.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.imsystem.ImSystemApplication;
import io.imsystem.support.ChatClient;
import io.imsystem.support.PackagedApp;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown tells every client: {@code kicked} with reason {@code shutdown}, then a real 1001 close
 * frame, not a dropped connection; and each kick is recorded, as the log (all an operator has of a
 * server that has stopped) shows.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownIntegrationTests {

	/** The line the kick history logs for each kick. */
	private static final Pattern KICK = Pattern.compile("kick name=(\\S+) address=\\S+ reason=(\\S+)");

	@Test
	void contextCloseKicksEverySessionWithA1001CloseFrame(CapturedOutput output) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ImSystemApplication.class)
			.properties("server.port=0", "chat.tcp.enabled=false")
			.run();
		int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
		List<ChatClient> clients = Stream.of("ann", "ben", "cat").map((name) -> ChatClient.join(port, name)).toList();

		context.close();

		for (ChatClient client : clients) {
			JsonNode kicked = client.nextOfType("kicked");
			assertThat(kicked.path("reason").asString()).isEqualTo("shutdown");
			assertThat(client.awaitClose().code()).isEqualTo(1001);
		}
		List<String> kicks = new ArrayList<>();
		Matcher kick = KICK.matcher(output.getOut());
		while (kick.find()) {
			kicks.add(kick.group(1) + " " + kick.group(2));
		}
		assertThat(kicks).containsExactlyInAnyOrder("ann shutdown", "ben shutdown", "cat shutdown");
	}

	@Test
	void sigtermKicksEverySessionWithA1001CloseFrame(@TempDir Path logs) throws Exception {
		Path jar = PackagedApp.jar();
		Path log = logs.resolve("app.log");
		String java = ProcessHandle.current().info().command().orElse("java");
		Process app = new ProcessBuilder(java, "-jar", jar.toString(), "--server.port=0", "--chat.tcp.enabled=false",
				"--chat.admin.password=x")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			int port = PackagedApp.awaitPort(log);
			try (ChatClient dan = ChatClient.join(port, "dan"); ChatClient eve = ChatClient.join(port, "eve")) {
				app.destroy();
				for (ChatClient client : List.of(dan, eve)) {
					assertThat(client.nextOfType("kicked").path("reason").asString()).isEqualTo("shutdown");
					assertThat(client.awaitClose().code()).isEqualTo(1001);
				}
			}
			assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
			assertThat(Files.readString(log)).contains("reason=shutdown");
		}
		finally {
			app.destroyForcibly();
		}
	}



}
