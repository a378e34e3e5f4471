package io.imsystem.socket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.imsystem.support.Http;
import io.imsystem.support.RawWebSocket;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pings within the rate limit (raised here so that it never applies) from clients that never read
 * their pongs: once a pong cannot be written the connection is closed, within a bound far shorter
 * than the send time limit (60 s here), which held the reading thread while it lasted.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.session.send-time-limit=60s", "chat.limits.messages-per-second=1000000",
				"chat.limits.burst=1000000", "server.tomcat.threads.max=16", "server.tomcat.threads.min-spare=4" })
class UnreadPongsIntegrationTests {

	private static final int FLOODERS = 20;

	/** Pings per write: a flooder writes batches until the server drops its connection. */
	private static final int BATCH = 100;

	/** A bound on each flooder's writes: far more than the buffers on both sides hold. */
	private static final int MAX_BATCHES = 1000;

	@LocalServerPort
	private int port;

	@Test
	void pingFloodersThatNeverReadArePromptlyDisconnected() throws Exception {
		List<RawWebSocket> flooders = new ArrayList<>();
		ExecutorService writers = Executors.newFixedThreadPool(FLOODERS);
		try {
			for (int i = 0; i < FLOODERS; i++) {
				InetAddress from = InetAddress.getByName("127.0.0." + (2 + i % 4));
				flooders.add(RawWebSocket.connect(from, 1024, 64 * 1024, this.port, "unread" + i));
			}
			byte[] pings = pings(BATCH);
			List<Future<Boolean>> dropped = new ArrayList<>();
			for (RawWebSocket flooder : flooders) {
				dropped.add(writers.submit(() -> {
					try {
						for (int batch = 0; batch < MAX_BATCHES; batch++) {
							flooder.writeRaw(pings);
						}
						return false;
					}
					catch (IOException ex) {
						// Reset: the server closed the connection with pings unread.
						return true;
					}
				}));
			}
			for (Future<Boolean> flooder : dropped) {
				// Within 10 s, where the send time limit would hold each for 60 s.
				assertThat(flooder.get(10, TimeUnit.SECONDS)).as("dropped").isTrue();
			}
			assertThat(Http.anonymous(this.port).get("/actuator/health").status()).isEqualTo(200);
		}
		finally {
			for (RawWebSocket flooder : flooders) {
				flooder.close();
			}
			writers.shutdown();
			assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	private static byte[] pings(int count) throws IOException {
		ByteArrayOutputStream frames = new ByteArrayOutputStream();
		byte[] mask = { 1, 2, 3, 4 };
		for (int i = 0; i < count; i++) {
			frames.write(0x80 | RawWebSocket.PING);
			frames.write(0x80 | 125);
			frames.write(mask);
			for (int j = 0; j < 125; j++) {
				frames.write(mask[j % 4]);
			}
		}
		return frames.toByteArray();
	}

}
