package io.imsystem.socket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;
import io.imsystem.support.RawWebSocket;
import io.imsystem.support.Room;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that flood pings and never read their pongs must not take the server's threads. The
 * worker pool is small (16) and the send time limit long (30 s), so that a server answering each
 * ping with a blocking write, as Tomcat does by itself, is stalled for 30 s by fewer flooders than
 * it has threads plus some: each answer below must then come long after the 10 s every request
 * here is given.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.session.send-time-limit=30s", "server.tomcat.threads.max=16",
				"server.tomcat.threads.min-spare=4" })
class PingFloodIntegrationTests {

	private static final int FLOODERS = 40;

	/**
	 * Pings each flooder sends (131 bytes each on the wire, 127 back): their pongs are several
	 * times what the server's send buffer (chat.websocket.socket-send-buffer, 64 KB, which Linux
	 * doubles) and the flooder's 2 KB receive buffer hold, and the pings themselves fit in the
	 * flooder's send buffer, so that its writes finish whether the server reads them or not.
	 */
	private static final int PINGS = 4000;

	private static final int FLOODER_SEND_BUFFER = 1024 * 1024;

	private static final byte[] PAYLOAD = new byte[125];

	private static final String WHO = "{\"type\":\"who\"}";

	@LocalServerPort
	private int port;

	@RegisterExtension
	final Room room = new Room();

	@Test
	void pingFloodersThatNeverReadLeaveTheServerResponsive() throws Exception {
		List<RawWebSocket> flooders = new ArrayList<>();
		ExecutorService writers = Executors.newFixedThreadPool(FLOODERS);
		try {
			for (int i = 0; i < FLOODERS; i++) {
				// Spread over four source addresses, within the per-address connection limit.
				InetAddress from = InetAddress.getByName("127.0.0." + (2 + i % 4));
				flooders.add(RawWebSocket.connect(from, 1024, FLOODER_SEND_BUFFER, this.port, "flood" + i));
			}
			CountDownLatch written = new CountDownLatch(FLOODERS);
			for (RawWebSocket flooder : flooders) {
				writers.execute(() -> {
					try {
						flooder.writeRaw(pings(PINGS));
						written.countDown();
					}
					catch (IOException ex) {
						// Closed by the server, or by the test at its end.
					}
				});
			}
			assertThat(written.await(10, TimeUnit.SECONDS)).as("every flood written").isTrue();

			Http http = Http.anonymous(this.port);
			ChatClient alice = this.room.join("alice");
			for (int round = 0; round < 5; round++) {
				// Each within Http's 10 s request timeout.
				assertThat(http.get("/actuator/health").status()).isEqualTo(200);
				alice.send("{\"type\":\"chat\",\"text\":\"round " + round + "\"}");
				JsonNode chat = alice.nextOfType("chat");
				assertThat(chat.path("text").asString()).isEqualTo("round " + round);
			}
			ChatClient bob = this.room.join("bob");
			bob.send("{\"type\":\"chat\",\"text\":\"hello\"}");
			assertThat(alice.nextOfType("chat").path("text").asString()).isEqualTo("hello");
		}
		finally {
			for (RawWebSocket flooder : flooders) {
				flooder.close();
			}
			writers.shutdown();
			assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	/**
	 * Pings count toward the session's rate limit (20 a second, bursts of 40, by default): the
	 * server answers the burst, then reads the rest at the rate and leaves those over it
	 * unanswered. The close frame the client sends last is read after every ping, so everything
	 * the server answers to them has arrived when its close does.
	 */
	@Test
	void pingsBeyondTheRateLimitAreNotAnswered() throws IOException {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "pinger")) {
			client.writeRaw(pings(200));
			client.sendFrame(true, 0, RawWebSocket.CLOSE, true, new byte[] { 0x03, (byte) 0xe8 });
			int pongs = 0;
			while (true) {
				RawWebSocket.Frame frame = client.readFrame();
				assertThat(frame).as("the close answer").isNotNull();
				if (frame.opcode() == RawWebSocket.CLOSE) {
					break;
				}
				if (frame.opcode() == RawWebSocket.PONG) {
					pongs++;
				}
			}
			assertThat(pongs).as("pongs").isGreaterThanOrEqualTo(40).isLessThan(200);
		}
	}

	/**
	 * Empty continuation frames count toward the rate limit too. Whatever the flood left in the
	 * bucket, less than one token, or one more if reading was just paused for it, the 31 messages
	 * that follow it back to back cannot all pass: at 20 tokens a second the server would have to
	 * spread them over 1.5 s. On the old code they had the whole burst (40). With only 4 messages,
	 * a stall of 150 ms on a busy machine let them all pass once (a CI run on 2 cores).
	 */
	@Test
	void emptyContinuationFramesCountTowardTheRateLimit() throws IOException {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "fragmenter")) {
			ByteArrayOutputStream frames = new ByteArrayOutputStream();
			frames.write(frame(RawWebSocket.TEXT, false, ""));
			for (int i = 0; i < 200; i++) {
				frames.write(frame(RawWebSocket.CONTINUATION, false, ""));
			}
			frames.write(frame(RawWebSocket.CONTINUATION, true, WHO));
			for (int i = 0; i < 30; i++) {
				frames.write(frame(RawWebSocket.TEXT, true, WHO));
			}
			frames.write(frame(RawWebSocket.CLOSE, true, "\u0003\u00e8"));
			client.writeRaw(frames.toByteArray());
			boolean rateLimited = false;
			while (true) {
				RawWebSocket.Frame frame = client.readFrame();
				assertThat(frame).as("the close answer").isNotNull();
				if (frame.opcode() == RawWebSocket.CLOSE) {
					break;
				}
				rateLimited |= frame.opcode() == RawWebSocket.TEXT && frame.text().contains("\"rate-limited\"");
			}
			assertThat(rateLimited).as("a rate-limited error").isTrue();
		}
	}

	private static byte[] frame(int opcode, boolean fin, String text) {
		byte[] payload = text.getBytes(StandardCharsets.ISO_8859_1);
		byte[] mask = { 5, 6, 7, 8 };
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write((fin ? 0x80 : 0) | opcode);
		frame.write(0x80 | payload.length);
		frame.writeBytes(mask);
		for (int j = 0; j < payload.length; j++) {
			frame.write(payload[j] ^ mask[j % 4]);
		}
		return frame.toByteArray();
	}

	private static byte[] pings(int count) throws IOException {
		ByteArrayOutputStream frames = new ByteArrayOutputStream();
		byte[] mask = { 1, 2, 3, 4 };
		for (int i = 0; i < count; i++) {
			frames.write(0x80 | RawWebSocket.PING);
			frames.write(0x80 | PAYLOAD.length);
			frames.write(mask);
			for (int j = 0; j < PAYLOAD.length; j++) {
				frames.write(PAYLOAD[j] ^ mask[j % 4]);
			}
		}
		return frames.toByteArray();
	}

}
