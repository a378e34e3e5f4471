package io.imsystem.tcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A raw {@link Socket} client of the line protocol, as {@code nc} is: it writes bytes and collects
 * what the server writes, split after each {@code \n}. Each line is returned with its {@code \n},
 * so a test sees a missing newline. Waits are bounded polls, never sleeps.
 */
final class LineClient implements AutoCloseable {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** Stands for the end of the stream, the server having closed the connection, in the lines. */
	static final String END = "<end of stream>";

	/** Stands for a reset connection in the lines. */
	static final String RESET = "<connection reset>";

	private final Socket socket;

	private final OutputStream out;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private LineClient(Socket socket, boolean reading) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
		if (reading) {
			startReading();
		}
	}

	/** Starts reading, for a client connected without: it has been reading since it connected. */
	void startReading() {
		Thread reader = new Thread(this::read, "line-client-" + this.socket.getLocalPort());
		reader.setDaemon(true);
		reader.start();
	}

	/** Connects to the gateway and waits for the own join line. */
	static LineClient join(int port) {
		LineClient client = connect(port);
		assertThat(client.next()).isEqualTo(joinLine(client.address(), client.address()));
		return client;
	}

	/** Connects without waiting for anything. */
	static LineClient connect(int port) {
		return open(port, -1, true);
	}

	/**
	 * Connects with a small receive buffer and never reads: a client that does not keep up. Its
	 * kernel buffers still take some data before the server's writes back up.
	 */
	static LineClient connectNotReading(int port) {
		return open(port, 4096, false);
	}

	private static LineClient open(int port, int receiveBuffer, boolean reading) {
		try {
			Socket socket = new Socket();
			if (receiveBuffer > 0) {
				socket.setReceiveBufferSize(receiveBuffer);
			}
			socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
			return new LineClient(socket, reading);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String joinLine(String address, String name) {
		return "[" + address + "]" + name + ":已上线\n";
	}

	static String leaveLine(String address, String name) {
		return "[" + address + "]" + name + ":下线\n";
	}

	static String whoLine(String address, String name) {
		return "[" + address + "]" + name + ":在线...\n";
	}

	static String chatLine(String address, String name, String text) {
		return "[" + address + "]" + name + ":" + text + "\n";
	}

	/** The address the server sees, which is also this user's first name: {@code 127.0.0.1:port}. */
	String address() {
		return "127.0.0.1:" + this.socket.getLocalPort();
	}

	/** Sends one line, adding {@code \n}. */
	void sendLine(String line) {
		sendRaw(line + "\n");
	}

	/** Sends text exactly as given, in one write. */
	void sendRaw(String text) {
		sendRaw(text.getBytes(StandardCharsets.UTF_8));
	}

	void sendRaw(byte[] bytes) {
		try {
			this.out.write(bytes);
			this.out.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The next line with its {@code \n}, or a last unterminated piece, or {@link #END} or
	 * {@link #RESET}.
	 */
	String next() {
		try {
			String line = this.lines.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (line == null) {
				fail("no line from the server within " + TIMEOUT);
			}
			return line;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The next {@code count} lines. */
	List<String> next(int count) {
		List<String> result = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			result.add(next());
		}
		return result;
	}

	/** Skips lines until the given one arrives; fails on the end of the stream. */
	void skipUntil(String expected) {
		List<String> skipped = new ArrayList<>();
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			String line = next();
			if (line.equals(expected)) {
				return;
			}
			if (line.equals(END) || line.equals(RESET)) {
				break;
			}
			skipped.add(line);
		}
		fail("no line %s; got %s", expected, skipped);
	}

	/** Asserts that the server closed the connection, with nothing more to read. */
	void assertEnd() {
		assertThat(next()).as("end of stream").isEqualTo(END);
	}

	/** Asserts that no line arrives within {@code quiet}. */
	void assertNoLine(Duration quiet) {
		try {
			assertThat(this.lines.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)).as("unexpected line").isNull();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Half-closes: no more lines from this client, as {@code nc} does at the end of its input. */
	void shutdownOutput() {
		try {
			this.socket.shutdownOutput();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Reads what the server wrote, up to {@code limit} bytes, until the end of the stream; for a
	 * client that did not read before. A reset counts as the end.
	 */
	long drainToEnd(long limit) {
		long total = 0;
		byte[] buffer = new byte[64 * 1024];
		try {
			this.socket.setSoTimeout((int) TIMEOUT.toMillis());
			InputStream in = this.socket.getInputStream();
			int read;
			while (total < limit && (read = in.read(buffer)) >= 0) {
				total += read;
			}
			assertThat(total).as("bytes before the end").isLessThan(limit);
		}
		catch (SocketTimeoutException ex) {
			fail("the server did not close within " + TIMEOUT + " after " + total + " bytes");
		}
		catch (IOException ex) {
			// A reset: the server dropped the connection.
		}
		return total;
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// Closing is best effort.
		}
	}

	private void read() {
		ByteArrayOutputStream pending = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		String end = END;
		try {
			InputStream in = this.socket.getInputStream();
			int read;
			while ((read = in.read(buffer)) >= 0) {
				for (int i = 0; i < read; i++) {
					pending.write(buffer[i]);
					if (buffer[i] == '\n') {
						this.lines.add(pending.toString(StandardCharsets.UTF_8));
						pending.reset();
					}
				}
			}
		}
		catch (IOException ex) {
			// A reset, or this client closed its own socket.
			end = RESET;
		}
		if (pending.size() > 0) {
			this.lines.add(pending.toString(StandardCharsets.UTF_8));
		}
		this.lines.add(end);
	}

}
