package io.imsystem.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.imsystem.support.ChatClient;
import io.imsystem.support.RawWebSocket;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients closing one after another while the room is busy get a well-formed stream to the end,
 * and do not disturb the streams of those still reading: every message before a client's own close
 * is whole JSON, and every byte it reads after that, until the server ends the connection, is a
 * well-formed frame (a message may be cut short by the server's close frame or by the end of the
 * stream, never by another frame). Every other chat (about 750 bytes) is larger than Tomcat's
 * 512-byte batch buffer and is written past it in one piece; the others (about 350 bytes) go
 * through it, straddling its edge: some of both are in Tomcat's batch or in flight when a client's
 * close is read.
 * <p>
 * Both ways it failed within seconds (issue 16's churn finding 2, docs/benchmarks.md): a chat cut
 * where Tomcat's output buffer ended, followed by the next chat's header (Tomcat turns batching off
 * as it answers a close, and a frame started on our sending thread just then went to the socket
 * ahead of the batch), and no answer to the close for seconds (Tomcat's flush of the batch waited,
 * holding the socket's lock, for a write that needs that lock; the client was then dropped as
 * too slow). See {@code WebSocketConnection#peerClosed} and {@code #flushForClose}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.limits.messages-per-second=100000", "chat.limits.burst=100000",
				"chat.limits.connections-per-address=200", "chat.limits.handshakes-per-second=1000",
				"chat.limits.handshake-burst=1000", "chat.session.buffer-size-limit=16MB" })
class ClosingUnderBroadcastIntegrationTests {

	private static final int CLIENTS = 80;

	/** Bounds the flood, should the clients never finish. */
	private static final int MAX_CHATS = 2_000_000;

	/**
	 * How many of its chats the flooder may have sent before they come back to it: enough to keep
	 * every connection's queue busy, while a busy machine slows the flood instead of letting the
	 * room fall megabytes behind (and be kicked as slow, the flooder included).
	 */
	private static final int WINDOW = 500;

	/** Chats of both kinds: through Tomcat's 512-byte batch, and (larger than it) past it. */
	private static final String[] TEXTS = { "x".repeat(300), "x".repeat(700) };

	private static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Test
	void everyByteAClosingClientReadsIsWellFormedWhileOthersClose() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(16);
		AtomicBoolean flooding = new AtomicBoolean(true);
		try (ChatClient flooder = ChatClient.join(this.port, "flooder")) {
			Thread flood = new Thread(() -> {
				for (int i = 0; i < MAX_CHATS && flooding.get(); i++) {
					flooder.send("{\"type\":\"chat\",\"text\":\"" + i + ":" + TEXTS[i % 2] + "\"}");
					// Its events are not looked at: taken, so that they do not pile up.
					flooder.drain();
					while (flooder.received() <= i - WINDOW && flooding.get() && flooder.poll(ChatClient.TIMEOUT) != null) {
						flooder.drain();
					}
				}
			}, "flooder");
			flood.start();
			try {
				List<Future<String>> clients = new ArrayList<>();
				for (int i = 0; i < CLIENTS; i++) {
					int client = i;
					clients.add(pool.submit(() -> readThenClose(client)));
				}
				for (Future<String> client : clients) {
					assertThat(client.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
				}
			}
			finally {
				flooding.set(false);
				flood.join(10_000);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * Reads until a number of chats have come (1 to 28, so that the closes spread over the flood),
	 * sends a close frame after the last of them, and reads on until the server ends the stream.
	 * @return "ok", or what was wrong
	 */
	private String readThenClose(int client) throws IOException {
		int closeAfter = 1 + (client % 10) * 3;
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "c" + client)) {
			FrameStream stream = new FrameStream();
			for (int frames = 0; frames < 1_000_000; frames++) {
				String when = stream.closeSent ? " after the client's close, " + frames + " frames in"
						: " before the client's close, " + frames + " frames in";
				RawWebSocket.Frame frame;
				try {
					frame = ws.readFrame();
				}
				catch (SocketTimeoutException ex) {
					return "nothing for 10 s" + when;
				}
				catch (ProtocolException ex) {
					return ex.getMessage() + when;
				}
				catch (IOException ex) {
					// The end of the stream, or a reset, within a frame.
					return stream.closeSent ? "ok" : "the stream ended within a frame" + when;
				}
				if (frame == null) {
					return stream.closeSent ? "ok" : "the stream ended" + when;
				}
				if (stream.closeReceived) {
					return "a frame after the server's close frame" + when + ": " + FrameStream.describe(frame);
				}
				String problem = stream.accept(frame);
				if (problem != null) {
					return problem + when;
				}
				if (!stream.closeSent && stream.chats >= closeAfter && !stream.inMessage()) {
					ws.sendFrame(true, 0, RawWebSocket.CLOSE, true, ByteBuffer.allocate(2).putShort((short) 1000).array());
					stream.closeSent = true;
				}
			}
			return "still open after a million frames";
		}
	}

	/**
	 * What a client has read so far, checked frame by frame as RFC 6455 section 5 wants a server's
	 * frames: no reserved bits (the connection negotiates no extension), no mask, a known opcode,
	 * control frames whole and short, continuations only within a fragmented message, and every
	 * complete text message a JSON event. A close frame may cut a fragmented message short (the
	 * server stops there); nothing may follow it.
	 */
	private static final class FrameStream {

		/** Chat events read in whole messages. */
		int chats;

		boolean closeSent;

		boolean closeReceived;

		/** The fragments so far of a text message that is not finished. */
		private ByteArrayOutputStream message;

		boolean inMessage() {
			return this.message != null;
		}

		String accept(RawWebSocket.Frame frame) {
			if (frame.rsv() != 0 || frame.masked()) {
				return "a malformed frame header: " + describe(frame);
			}
			switch (frame.opcode()) {
				case RawWebSocket.CLOSE, RawWebSocket.PING, RawWebSocket.PONG -> {
					if (!frame.fin() || frame.payload().length > 125) {
						return "a malformed control frame: " + describe(frame);
					}
					if (frame.opcode() == RawWebSocket.CLOSE) {
						this.closeReceived = true;
						return closeProblem(frame);
					}
					return null;
				}
				case RawWebSocket.TEXT -> {
					if (this.message != null) {
						return "a text frame within an unfinished message: " + describe(frame);
					}
					this.message = new ByteArrayOutputStream();
				}
				case RawWebSocket.CONTINUATION -> {
					if (this.message == null) {
						return "a continuation outside a message: " + describe(frame);
					}
				}
				default -> {
					return "a frame of opcode " + frame.opcode() + ": " + describe(frame);
				}
			}
			this.message.writeBytes(frame.payload());
			if (!frame.fin()) {
				return null;
			}
			byte[] text = this.message.toByteArray();
			this.message = null;
			String problem = problem(text);
			if (problem == null && new String(text, StandardCharsets.UTF_8).contains("\"type\":\"chat\"")) {
				this.chats++;
			}
			return problem;
		}

		private static String closeProblem(RawWebSocket.Frame frame) {
			byte[] payload = frame.payload();
			if (payload.length == 0) {
				return null;
			}
			int code = frame.closeCode();
			if (payload.length == 1 || code < 1000 || code == 1005 || code == 1006 || code >= 5000
					|| utf8(Arrays.copyOfRange(payload, 2, payload.length)) == null) {
				return "a malformed close frame: " + describe(frame);
			}
			return null;
		}

		static String describe(RawWebSocket.Frame frame) {
			return "opcode " + frame.opcode() + ", fin " + frame.fin() + ", rsv " + frame.rsv() + ", "
					+ frame.payload().length + " bytes " + Base64.getEncoder().encodeToString(frame.payload());
		}

	}

	private static String utf8(byte[] bytes) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

	private static String problem(byte[] bytes) {
		String text = utf8(bytes);
		if (text == null) {
			return "a message that is not UTF-8: " + Base64.getEncoder().encodeToString(bytes);
		}
		try {
			JsonNode node = json.readTree(text);
			return node.path("type").isString() ? null : "a message without a type: " + text;
		}
		catch (RuntimeException ex) {
			return "a message that is not JSON: " + Base64.getEncoder().encodeToString(bytes);
		}
	}

}
