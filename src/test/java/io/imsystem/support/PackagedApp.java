package io.imsystem.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The packaged jar, for tests that run the app as its own process (a real SIGTERM, SIGKILL or
 * SIGSTOP): failsafe runs after {@code package}, so {@code target/} holds it.
 */
public final class PackagedApp {

	private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");

	private PackagedApp() {
	}

	public static Path jar() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			return files.filter((file) -> file.getFileName().toString().matches("im-system-.*\\.jar"))
				.filter((file) -> !file.getFileName().toString().endsWith("-plain.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("run ./mvnw verify: the jar is built before the integration tests"));
		}
	}

	/**
	 * Starts the packaged jar as its own process, its output to {@code log}. The caller kills it (by
	 * its PID: {@link Process#destroyForcibly()}) in a {@code finally} block.
	 * @param jvmOptions options for the JVM, for example {@code -Xmx96m}
	 * @param arguments the app's arguments, {@code --name=value}
	 */
	public static Process start(Path log, List<String> jvmOptions, String... arguments) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jar().toString());
		command.addAll(List.of(arguments));
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
	}

	/** The port the process logging to {@code log} listens on, once it says so (within a minute). */
	public static int awaitPort(Path log) {
		return await().atMost(Duration.ofSeconds(60)).until(() -> startedPort(log), Optional::isPresent).orElseThrow();
	}

	private static Optional<Integer> startedPort(Path log) throws IOException {
		if (!Files.exists(log)) {
			return Optional.empty();
		}
		Matcher matcher = STARTED.matcher(Files.readString(log));
		return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
	}

}
