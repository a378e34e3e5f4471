package io.imsystem.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.imsystem.support.HttpLines;

/**
 * A plain socket to the server from a loopback address of the test's choosing (127.0.0.5 and so
 * on), so that one test's per-address counts are its own: half-sent requests, raw handshakes.
 */
final class LoopbackClient implements AutoCloseable {

	/** An upgrade request without its final blank line. */
	private static final String UPGRADE = """
			GET /ws/chat HTTP/1.1\r
			Upgrade: websocket\r
			Connection: Upgrade\r
			Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
			Sec-WebSocket-Version: 13\r
			""";

	private final Socket socket;

	private LoopbackClient(Socket socket) {
		this.socket = socket;
	}

	static LoopbackClient connect(String from, int port) {
		try {
			Socket socket = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(from), 0);
			socket.setSoTimeout(10_000);
			return new LoopbackClient(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sends the start of a request and never the rest, as a slowloris client does. */
	static LoopbackClient halfSent(String from, int port) {
		LoopbackClient client = connect(from, port);
		client.write("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgr");
		return client;
	}

	/**
	 * Sends a complete upgrade request; on 101 waits for the first frame, the welcome, by when the
	 * session is counted.
	 * @return the response's status and headers, lower-case names
	 */
	static Response handshake(String from, int port, String... headers) {
		LoopbackClient client = connect(from, port);
		Response response = client.upgrade(headers);
		if (response.status() != 101) {
			client.close();
		}
		return response;
	}

	Response upgrade(String... headers) {
		StringBuilder request = new StringBuilder(UPGRADE);
		boolean host = false;
		for (int i = 0; i + 1 < headers.length; i += 2) {
			host |= headers[i].equalsIgnoreCase("Host");
			request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
		}
		if (!host) {
			request.append("Host: 127.0.0.1:").append(this.socket.getPort()).append("\r\n");
		}
		write(request.append("\r\n").toString());
		Response response = readHead();
		if (response.status() == 101) {
			try {
				if (this.socket.getInputStream().read() == -1) {
					throw new IllegalStateException("closed right after the upgrade");
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return response.withClient(this);
	}

	void write(String text) {
		try {
			OutputStream out = this.socket.getOutputStream();
			out.write(text.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Reads a response's status line and headers. */
	Response readHead() {
		try {
			InputStream in = this.socket.getInputStream();
			String statusLine = HttpLines.readLine(in);
			if (!statusLine.startsWith("HTTP/1.1 ")) {
				throw new IllegalStateException("not a status line: '" + statusLine + "'");
			}
			Map<String, String> headers = new LinkedHashMap<>();
			for (String line = HttpLines.readLine(in); !line.isEmpty(); line = HttpLines.readLine(in)) {
				int colon = line.indexOf(':');
				headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
			}
			return new Response(Integer.parseInt(statusLine.substring(9, 12)), headers, null);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Reads a body of this many bytes. */
	void skip(int bytes) throws IOException {
		this.socket.getInputStream().readNBytes(bytes);
	}

	/**
	 * Whether the server closed the connection, found without waiting more than a moment: end of
	 * stream or a reset means closed, a read that times out means still open.
	 */
	boolean closedByServer() {
		try {
			this.socket.setSoTimeout(100);
			try {
				return this.socket.getInputStream().read() == -1;
			}
			finally {
				this.socket.setSoTimeout(10_000);
			}
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			// Connection reset: the server closed it with the request unread.
			return true;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// Closing a test socket cannot fail a test.
		}
	}

	/** A response head, and on 101 the client whose connection is now a WebSocket. */
	record Response(int status, Map<String, String> headers, LoopbackClient client) {

		Response withClient(LoopbackClient client) {
			return new Response(this.status, this.headers, client);
		}

	}

}
