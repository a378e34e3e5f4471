package io.imsystem.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.protocol.CloseCode;
import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.RawWebSocket;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Frames no honest client sends, written byte by byte after a real handshake: each is answered
 * with the close code RFC 6455 asks for (1002 protocol error, 1007 invalid payload, 1009 too big,
 * 1003 for binary), the connection ends, the session leaves with reason {@code error}, the rest of
 * the room keeps chatting, and no thread is left spinning on a broken connection: the server has
 * few request threads here, far fewer than the abuses it gets, so one kept by each would soon
 * leave none to answer anyone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.idle.sweep-interval=100ms", "chat.admin.password=reliability",
				"chat.limits.handshakes-per-second=100000", "chat.limits.handshake-burst=100000",
				"server.tomcat.threads.max=" + ProtocolAbuseIntegrationTests.REQUEST_THREADS,
				"server.tomcat.threads.min-spare=1" })
class ProtocolAbuseIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(ProtocolAbuseIntegrationTests.class);

	private static final int PROTOCOL_ERROR = CloseCode.PROTOCOL_ERROR.code();

	private static final int BINARY_REFUSED = CloseCode.BINARY_NOT_ACCEPTED.code();

	private static final int INVALID_PAYLOAD = CloseCode.BAD_DATA.code();

	private static final int TOO_BIG = CloseCode.TOO_BIG.code();

	/** The server's request threads ({@code server.tomcat.threads.max}): they read every frame. */
	static final int REQUEST_THREADS = 4;

	/** Every kind of abuse this many times: many times more abusers than request threads. */
	private static final int FLOOD_ROUNDS = 4;

	/** Over {@code chat.limits.max-frame-bytes} (8192 by default). */
	private static final int OVERSIZE = 9000;

	private static final int RACE_ROUNDS = 40;

	private static final int STREAM_RACE_ROUNDS = 1000;

	private static final AtomicInteger sequence = new AtomicInteger();

	@LocalServerPort
	int port;

	AdminApi admin() {
		return AdminApi.of(this.port, "reliability");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("abuses")
	void abuseGetsTheRightCloseCodeAndLeavesTheRoomHealthy(String description, int expectedCode, Abuse abuse)
			throws IOException {
		int n = sequence.incrementAndGet();
		String abuserName = "abuser" + n;
		try (ChatClient observer = ChatClient.join(this.port, "observer" + n);
				RawWebSocket abuser = RawWebSocket.connect(this.port, abuserName)) {
			awaitPresence(observer, "join", abuserName);

			abuse.send(abuser);

			assertThat(abuser.readUntilClose()).as("close code for: %s", description).isEqualTo(expectedCode);
			replyToClose(abuser, expectedCode);
			assertThat(abuser.awaitEndOfStream()).as("connection ended").isTrue();
			JsonNode leave = awaitPresence(observer, "leave", abuserName);
			assertThat(leave.path("reason").asString()).isEqualTo("error");
			assertThat(admin().onlineNames()).doesNotContain(abuserName);

			observer.send("still chatting after " + description);
			JsonNode chat = observer.nextOfType("chat");
			assertThat(chat.path("text").asString()).isEqualTo("still chatting after " + description);
			try (ChatClient newcomer = ChatClient.join(this.port, "newcomer" + n)) {
				newcomer.send("hello");
				assertThat(newcomer.nextOfType("chat").path("text").asString()).isEqualTo("hello");
			}
		}
	}

	/**
	 * A violation that arrives while the server is still writing the welcome and the join: Tomcat
	 * cuts that write short before it sends its close frame, and nothing of ours may close first
	 * (that put 1011 on the wire and made the session leave with {@code quit}). Whether a given
	 * round hits the race depends on scheduling, hence many rounds. Tomcat's own header-buffer race
	 * (next test) can still garble a round's close frame, rarely; our close never shows.
	 */
	@Test
	void aViolationRacingTheServersFirstWritesStillGetsItsCloseCode() throws IOException {
		int garbled = 0;
		try (ChatClient observer = ChatClient.join(this.port, "racewatch")) {
			for (int i = 0; i < RACE_ROUNDS; i++) {
				String name = "racer" + i;
				try (RawWebSocket racer = RawWebSocket.open(this.port, "/ws/chat?name=" + name)) {
					assertThat(racer.handshake().status()).isEqualTo(101);
					racer.sendFrame(true, 0, RawWebSocket.TEXT, false, utf8("unmasked, before reading anything"));
					int code = racer.readUntilClose();
					assertThat(code).as("close code in round %d", i).isNotEqualTo(1011);
					if (code != PROTOCOL_ERROR) {
						garbled++;
					}
				}
				JsonNode leave = awaitPresence(observer, "leave", name);
				assertThat(leave.path("reason").asString()).as("leave reason in round %d", i).isEqualTo("error");
			}
		}
		assertThat(garbled).as("rounds of %d without a readable 1002", RACE_ROUNDS).isLessThanOrEqualTo(1);
	}

	/**
	 * The same race, many times and without waiting between rounds. Tomcat 11.0.22 builds its close
	 * frame in the header buffer of a write that may still be in flight: with its asynchronous
	 * writes (our connector turns them off) 39 of 2,000 such rounds read a close header followed by
	 * another frame's payload (1006, or a close code such as 31522); without them the window is a
	 * few instructions wide and 0 to 1 round in 1,000 is hit. The bound tells the two apart.
	 */
	@Test
	void violationsRacingTheServersWritesRarelyCorruptTheStream() throws IOException {
		Map<Integer, Integer> codes = new TreeMap<>();
		for (int i = 0; i < STREAM_RACE_ROUNDS; i++) {
			try (RawWebSocket racer = RawWebSocket.open(this.port, "/ws/chat?name=streamracer" + i)) {
				assertThat(racer.handshake().status()).isEqualTo(101);
				racer.sendFrame(true, 0, RawWebSocket.TEXT, false, utf8("unmasked"));
				codes.merge(racer.readUntilClose(), 1, Integer::sum);
			}
		}
		logger.info("Close codes read in {} racing rounds: {}", STREAM_RACE_ROUNDS, codes);
		assertThat(codes.getOrDefault(PROTOCOL_ERROR, 0)).as("rounds reading 1002 of %d; all codes: %s",
				STREAM_RACE_ROUNDS, codes)
			.isGreaterThanOrEqualTo(STREAM_RACE_ROUNDS - 5);
	}

	/**
	 * Abusers, one after another, every kind of abuse several times over: meanwhile another user's
	 * chat and {@code who} are answered, each abuser is closed with its code, and once they are
	 * all gone the room still answers and a newcomer joins. A thread left spinning on a broken
	 * connection, by any one kind, would have taken every request thread long before the end.
	 */
	@Test
	void aFloodOfAbusersNeitherStallsTheRoomNorKeepsItsThreads() throws Exception {
		List<Arguments> kinds = abuses().toList();
		ExecutorService abusers = Executors.newSingleThreadExecutor();
		try (ChatClient observer = ChatClient.join(this.port, "floodwatch")) {
			Future<Integer> flood = abusers.submit(() -> {
				int closed = 0;
				for (int round = 0; round < FLOOD_ROUNDS; round++) {
					for (Arguments kind : kinds) {
						Object[] values = kind.get();
						try (RawWebSocket abuser = RawWebSocket.connect(this.port, "spinner" + sequence.incrementAndGet())) {
							((Abuse) values[2]).send(abuser);
							int code = abuser.readUntilClose();
							assertThat(code).as("close code for: %s", values[0]).isEqualTo(values[1]);
							replyToClose(abuser, code);
							assertThat(abuser.awaitEndOfStream()).as("connection ended: %s", values[0]).isTrue();
						}
						closed++;
					}
				}
				return closed;
			});
			AtomicInteger round = new AtomicInteger();
			// Paced well within the observer's own rate limit; each answer within ChatClient.TIMEOUT.
			await().pollInterval(Duration.ofMillis(250)).atMost(Duration.ofMinutes(2)).until(() -> {
				answers(observer, "floodwatch", "during the flood " + round.incrementAndGet());
				return flood.isDone();
			});
			assertThat(flood.get()).as("abusers closed with their codes").isEqualTo(FLOOD_ROUNDS * kinds.size());
			logger.info("{} abusers closed against {} request threads; the observer was answered {} times meanwhile",
					FLOOD_ROUNDS * kinds.size(), REQUEST_THREADS, round.get());

			answers(observer, "floodwatch", "after the flood");
			try (ChatClient newcomer = ChatClient.join(this.port, "afterflood")) {
				answers(newcomer, "afterflood", "hello after the flood");
			}
		}
		finally {
			abusers.shutdownNow();
		}
	}

	/** A user's chat comes back to it and its {@code who} lists it. */
	private static void answers(ChatClient client, String name, String text) {
		client.send("{\"type\":\"chat\",\"text\":\"" + text + "\"}");
		JsonNode chat = client.nextMatching((event) -> event.path("type").asString().equals("chat")
				&& event.path("text").asString().equals(text));
		assertThat(chat.path("text").asString()).isEqualTo(text);
		client.send("who");
		JsonNode users = client.nextMatching((event) -> event.path("type").asString().equals("users"));
		assertThat(users.path("users").findValuesAsString("name")).contains(name);
	}

	static Stream<Arguments> abuses() {
		return Stream.of(
				abuse("unmasked text frame", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, RawWebSocket.TEXT, false, utf8("hi"))),
				abuse("RSV1 set with no extension negotiated", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 4, RawWebSocket.TEXT, true, utf8("hi"))),
				abuse("RSV2 and RSV3 set", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 3, RawWebSocket.TEXT, true, utf8("hi"))),
				abuse("reserved data opcode 0x3", PROTOCOL_ERROR, (c) -> c.sendFrame(true, 0, 0x3, true, utf8("hi"))),
				abuse("reserved control opcode 0xB", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, 0xB, true, new byte[0])),
				abuse("invalid UTF-8 in a text frame", INVALID_PAYLOAD,
						(c) -> c.sendFrame(true, 0, RawWebSocket.TEXT, true, bytes('h', 0xC3, 0x28))),
				abuse("UTF-8 encoded surrogate in a text frame", INVALID_PAYLOAD,
						(c) -> c.sendFrame(true, 0, RawWebSocket.TEXT, true, bytes('h', 0xED, 0xA0, 0x80))),
				abuse("invalid UTF-8 split across fragments", INVALID_PAYLOAD, (c) -> {
					c.sendFrame(false, 0, RawWebSocket.TEXT, true, bytes('h', 0xE2, 0x82));
					c.sendFrame(true, 0, RawWebSocket.CONTINUATION, true, bytes(0x28));
				}),
				abuse("ping with a 126-byte payload", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, RawWebSocket.PING, true, new byte[126])),
				abuse("close with a 126-byte payload", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, RawWebSocket.CLOSE, true, closePayload(1000, "x".repeat(124)))),
				abuse("fragmented ping (FIN=0 control frame)", PROTOCOL_ERROR,
						(c) -> c.sendFrame(false, 0, RawWebSocket.PING, true, utf8("p"))),
				abuse("64-bit length with the top bit set", PROTOCOL_ERROR,
						(c) -> c.writeRaw(header(RawWebSocket.TEXT, 0x8000_0000_0000_0005L))),
				abuse("close code 1005 on the wire", PROTOCOL_ERROR, (c) -> close(c, 1005)),
				abuse("close code 1006 on the wire", PROTOCOL_ERROR, (c) -> close(c, 1006)),
				abuse("close code 999", PROTOCOL_ERROR, (c) -> close(c, 999)),
				abuse("close code 1004", PROTOCOL_ERROR, (c) -> close(c, 1004)),
				abuse("close code 2000", PROTOCOL_ERROR, (c) -> close(c, 2000)),
				abuse("close frame with a 1-byte payload", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, RawWebSocket.CLOSE, true, bytes(0x03))),
				abuse("close reason that is not UTF-8", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, RawWebSocket.CLOSE, true, bytes(0x03, 0xE8, 0xC3, 0x28))),
				abuse("continuation frame with no message started", PROTOCOL_ERROR,
						(c) -> c.sendFrame(true, 0, RawWebSocket.CONTINUATION, true, utf8("orphan"))),
				abuse("text frame interrupting a fragmented text message", PROTOCOL_ERROR, (c) -> {
					c.sendFrame(false, 0, RawWebSocket.TEXT, true, utf8("first half"));
					c.sendFrame(true, 0, RawWebSocket.TEXT, true, utf8("another message"));
				}),
				abuse("text frame over the size limit", TOO_BIG,
						(c) -> c.sendFrame(true, 0, RawWebSocket.TEXT, true, utf8("a".repeat(OVERSIZE)))),
				abuse("3,000 CJK characters (9,000 UTF-8 bytes)", TOO_BIG,
						(c) -> c.sendFrame(true, 0, RawWebSocket.TEXT, true, utf8("字".repeat(3000)))),
				abuse("length of 2^40 declared, then a stream of bytes", TOO_BIG, (c) -> {
					c.writeRaw(header(RawWebSocket.TEXT, 1L << 40));
					c.writeRaw(utf8("a".repeat(OVERSIZE)));
				}),
				abuse("fragments adding up to more than the limit", TOO_BIG, (c) -> {
					c.sendFrame(false, 0, RawWebSocket.TEXT, true, utf8("a".repeat(4000)));
					c.sendFrame(false, 0, RawWebSocket.CONTINUATION, true, utf8("a".repeat(4000)));
					c.sendFrame(true, 0, RawWebSocket.CONTINUATION, true, utf8("a".repeat(4000)));
				}),
				abuse("binary frame", BINARY_REFUSED,
						(c) -> c.sendFrame(true, 0, RawWebSocket.BINARY, true, bytes(1, 2, 3))));
	}

	private static Arguments abuse(String description, int code, Abuse abuse) {
		return Arguments.of(description, code, abuse);
	}

	private static JsonNode awaitPresence(ChatClient observer, String event, String name) {
		return observer.awaitChange(event, name);
	}

	/** Answers the server's close as a client should; the server may already have dropped the socket. */
	private static void replyToClose(RawWebSocket client, int code) {
		try {
			client.sendFrame(true, 0, RawWebSocket.CLOSE, true, closePayload(code, ""));
		}
		catch (IOException ex) {
			// Already closed by the server: nothing to answer.
		}
	}

	private static void close(RawWebSocket client, int code) throws IOException {
		client.sendFrame(true, 0, RawWebSocket.CLOSE, true, closePayload(code, "bye"));
	}

	private static byte[] closePayload(int code, String reason) {
		ByteArrayOutputStream payload = new ByteArrayOutputStream();
		payload.write(code >>> 8);
		payload.write(code);
		payload.writeBytes(utf8(reason));
		return payload.toByteArray();
	}

	/** A masked frame header with FIN set and the 64-bit length form, whatever the length says. */
	private static byte[] header(int opcode, long length) {
		ByteArrayOutputStream header = new ByteArrayOutputStream();
		header.write(0x80 | opcode);
		header.write(0x80 | 127);
		for (int shift = 56; shift >= 0; shift -= 8) {
			header.write((int) (length >>> shift));
		}
		// A zero mask key, so that what follows is the payload as written.
		header.writeBytes(new byte[4]);
		return header.toByteArray();
	}

	private static byte[] bytes(int... values) {
		byte[] bytes = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			bytes[i] = (byte) values[i];
		}
		return bytes;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@FunctionalInterface
	interface Abuse {

		void send(RawWebSocket client) throws IOException;

	}

}
