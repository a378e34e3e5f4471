package io.imsystem.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * A private {@code redis-server} on a free port, for tests that stop, kill or restart Redis: the
 * shared one on 6379 must never be touched. No persistence ({@code --save ""}, no AOF), so a
 * restart loses everything, like a crashed Redis without disks. Always {@link #close()} it (in
 * {@code finally} or {@code @AfterAll}): it kills the process by its PID.
 */
public final class RedisServer implements AutoCloseable {

	private final int port;

	private final Path directory;

	private Process process;

	private RedisServer(int port, Path directory) {
		this.port = port;
		this.directory = directory;
	}

	/** Whether the {@code redis-server} binary is on this machine. */
	public static boolean available() {
		try {
			Process probe = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
			probe.getInputStream().readAllBytes();
			return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** Starts a server on a free port and waits until it accepts connections. */
	public static RedisServer start() throws IOException {
		RedisServer server = new RedisServer(freePort(), Files.createTempDirectory("redis-test"));
		server.startAgain();
		return server;
	}

	public int port() {
		return this.port;
	}

	public boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/** Starts the server again on the same port (empty: nothing was saved). */
	public synchronized void startAgain() throws IOException {
		if (isRunning()) {
			return;
		}
		this.process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(), "--logfile", ""))
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve("redis.log").toFile())
			.start();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::accepts);
	}

	/** Stops the server the hard way (SIGKILL), as a crash or a pulled cable would. */
	public synchronized void kill() {
		if (this.process == null) {
			return;
		}
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accepts());
	}

	/** Stops the server (SIGTERM; it keeps nothing, see the class comment). */
	public synchronized void stop() {
		if (this.process == null) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accepts());
	}

	/**
	 * Freezes the server (SIGSTOP to its PID): connections stay open, commands get no answer, and
	 * nothing is lost, as with a network partition. {@link #resume()} continues it.
	 */
	public synchronized void pause() throws IOException, InterruptedException {
		signal("STOP");
	}

	/** Continues a {@link #pause() paused} server (SIGCONT). */
	public synchronized void resume() throws IOException, InterruptedException {
		signal("CONT");
	}

	private void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid())).start();
		if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
			throw new IOException("kill -" + signal + " " + this.process.pid() + " failed");
		}
	}

	/**
	 * Runs one command through {@code redis-cli} (for example {@code CLIENT KILL TYPE pubsub}, which
	 * drops only the subscriptions) and returns its output.
	 */
	public String cli(String... command) throws IOException, InterruptedException {
		List<String> line = new java.util.ArrayList<>(List.of("redis-cli", "-p", Integer.toString(this.port)));
		line.addAll(List.of(command));
		Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
		String output = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0) {
			throw new IOException("redis-cli " + command + " failed: " + output);
		}
		return output.trim();
	}

	@Override
	public void close() {
		kill();
	}

	private boolean accepts() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
