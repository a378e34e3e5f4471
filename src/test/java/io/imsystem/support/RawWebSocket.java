package io.imsystem.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written on a bare socket, byte by byte, for what a well-behaved client never
 * does: ignore pings, send unmasked or malformed frames, or handshake with odd headers. It does not
 * answer pings unless told to.
 */
public final class RawWebSocket implements AutoCloseable {

	public static final int CONTINUATION = 0x0;

	public static final int TEXT = 0x1;

	public static final int BINARY = 0x2;

	public static final int CLOSE = 0x8;

	public static final int PING = 0x9;

	public static final int PONG = 0xA;

	/** The largest frame {@link #readFrame()} accepts: far above anything the server sends. */
	private static final long MAX_FRAME_READ = 64 * 1024 * 1024;

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	private final Handshake handshake;

	private RawWebSocket(Socket socket, Handshake handshake) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
		this.handshake = handshake;
	}

	/** Opens a socket and sends the upgrade request; the returned client holds the response. */
	public static RawWebSocket open(int port, String pathAndQuery, String... headers) throws IOException {
		return open(new Socket("127.0.0.1", port), port, pathAndQuery, headers);
	}

	/**
	 * Opens a socket from {@code localAddress} (another loopback address, so that connections are
	 * counted against another address) with socket buffers of about the given sizes, set before
	 * connecting so that TCP never changes them: a client that does not read then holds little of
	 * what the server sends it, and one that floods can have all of its flood written before the
	 * server reads any of it.
	 */
	public static RawWebSocket open(InetAddress localAddress, int receiveBuffer, int sendBuffer, int port,
			String pathAndQuery) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(receiveBuffer);
		socket.setSendBufferSize(sendBuffer);
		socket.bind(new InetSocketAddress(localAddress, 0));
		socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
		return open(socket, port, pathAndQuery);
	}

	private static RawWebSocket open(Socket socket, int port, String pathAndQuery, String... headers)
			throws IOException {
		socket.setSoTimeout(10_000);
		StringBuilder request = new StringBuilder()
			.append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
			.append("Host: 127.0.0.1:").append(port).append("\r\n")
			.append("Upgrade: websocket\r\n")
			.append("Connection: Upgrade\r\n")
			.append("Sec-WebSocket-Key: ")
			.append(Base64.getEncoder().encodeToString(randomBytes(16)))
			.append("\r\n")
			.append("Sec-WebSocket-Version: 13\r\n");
		for (int i = 0; i + 1 < headers.length; i += 2) {
			request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
		}
		request.append("\r\n");
		socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
		Handshake handshake = readResponse(new DataInputStream(socket.getInputStream()));
		return new RawWebSocket(socket, handshake);
	}

	/**
	 * Opens {@code /ws/chat}, fails unless the server switched protocols, and returns once the
	 * {@code welcome} and the session's own {@code presence} join arrived: the session is in the
	 * server's registry and the server has nothing more in flight to it. A frame the test then
	 * sends cannot race those writes (Tomcat can mix a close frame it sends after a protocol error
	 * into a write in flight; ProtocolAbuseIntegrationTests races it on purpose).
	 */
	public static RawWebSocket connect(int port, String name) throws IOException {
		return joined(open(port, "/ws/chat" + ((name != null) ? "?name=" + name : "")));
	}

	/** {@link #connect(int, String)} from {@code localAddress}, with a small receive buffer. */
	public static RawWebSocket connect(InetAddress localAddress, int receiveBuffer, int sendBuffer, int port,
			String name) throws IOException {
		return joined(open(localAddress, receiveBuffer, sendBuffer, port, "/ws/chat?name=" + name));
	}

	private static RawWebSocket joined(RawWebSocket client) throws IOException {
		if (client.handshake.status() != 101) {
			client.close();
			throw new IllegalStateException("handshake refused: " + client.handshake);
		}
		Frame first = client.readFrame();
		if (first == null || first.opcode() != TEXT || !first.text().contains("\"welcome\"")) {
			client.close();
			throw new IllegalStateException("expected a welcome frame, got " + first);
		}
		Frame joined = client.readFrame();
		if (joined == null || joined.opcode() != TEXT || !joined.text().contains("\"presence\"")
				|| !joined.text().contains("\"join\"")) {
			client.close();
			throw new IllegalStateException("expected its own join, got " + joined);
		}
		return client;
	}

	public Handshake handshake() {
		return this.handshake;
	}

	/** Sends one masked text frame, as a browser would. */
	public void sendText(String text) throws IOException {
		sendFrame(true, 0, TEXT, true, text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Sends one frame exactly as described, right or wrong.
	 * @param rsv the three reserved bits, 0 to 7
	 */
	public void sendFrame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
		int mask = masked ? 0x80 : 0;
		if (payload.length < 126) {
			frame.write(mask | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(mask | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length);
		}
		else {
			frame.write(mask | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				frame.write((int) ((long) payload.length >>> shift));
			}
		}
		byte[] body = payload.clone();
		if (masked) {
			byte[] key = randomBytes(4);
			frame.write(key);
			for (int i = 0; i < body.length; i++) {
				body[i] ^= key[i % 4];
			}
		}
		frame.write(body);
		writeRaw(frame.toByteArray());
	}

	/** Writes bytes to the socket as they are. */
	public void writeRaw(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
	}

	/**
	 * Reads the next frame; {@code null} at end of stream. Fails with a timeout if nothing comes
	 * within ten seconds, with a {@link ProtocolException} at a header that declares more than
	 * 64 MiB.
	 */
	public Frame readFrame() throws IOException {
		int first;
		try {
			first = this.in.read();
		}
		catch (SocketTimeoutException ex) {
			throw ex;
		}
		catch (IOException ex) {
			// A reset after the server closed counts as the end of the stream.
			return null;
		}
		if (first < 0) {
			return null;
		}
		int second = this.in.readUnsignedByte();
		long length = second & 0x7f;
		if (length == 126) {
			length = this.in.readUnsignedShort();
		}
		else if (length == 127) {
			length = this.in.readLong();
		}
		if (length < 0 || length > MAX_FRAME_READ) {
			// A header read out of step with the stream: no server of ours sends such a frame.
			throw new ProtocolException("a frame header declaring " + length + " bytes");
		}
		byte[] payload = new byte[(int) length];
		this.in.readFully(payload);
		return new Frame(first & 0x0f, payload, (first & 0x80) != 0, (first >>> 4) & 0x7, (second & 0x80) != 0);
	}

	/** Reads frames until a close frame, skipping others; returns its code, or 1006 at end of stream. */
	public int readUntilClose() throws IOException {
		while (true) {
			Frame frame;
			try {
				frame = readFrame();
			}
			catch (EOFException ex) {
				return 1006;
			}
			if (frame == null) {
				return 1006;
			}
			if (frame.opcode() == CLOSE) {
				return frame.closeCode();
			}
		}
	}

	/** Whether the server has closed the TCP connection: the next read sees the end of the stream. */
	public boolean awaitEndOfStream() throws IOException {
		while (true) {
			try {
				if (readFrame() == null) {
					return true;
				}
			}
			catch (EOFException ex) {
				return true;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	private static Handshake readResponse(DataInputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			head.write(b);
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0) {
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
			}
		}
		return new Handshake(status, headers);
	}

	private static byte[] randomBytes(int count) {
		byte[] bytes = new byte[count];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	/** The server's answer to the upgrade request; header names in lower case. */
	public record Handshake(int status, Map<String, String> headers) {
	}

	/**
	 * One frame as read.
	 * @param fin whether it is the last frame of its message
	 * @param rsv the three reserved bits, 0 to 7
	 * @param masked whether it had a mask (a server must never send one)
	 */
	public record Frame(int opcode, byte[] payload, boolean fin, int rsv, boolean masked) {

		public String text() {
			return new String(this.payload, StandardCharsets.UTF_8);
		}

		/** The code of a close frame; 1005 when it carries none. */
		public int closeCode() {
			return (this.payload.length >= 2) ? ((this.payload[0] & 0xff) << 8) | (this.payload[1] & 0xff) : 1005;
		}

	}

}
