package io.imsystem.tcp;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.imsystem.support.ChatClient;

import org.springframework.test.context.TestPropertySource;

import static io.imsystem.tcp.LineClient.chatLine;
import static io.imsystem.tcp.LineClient.joinLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A line user who stops reading while the room is busy, and starts again before the server has
 * {@code chat.session.buffer-size-limit} of lines waiting for it (16 MB here), gets every line once
 * and in order. What the kernel cannot take waits in the server and leaves in order: on epoll, the
 * writes straight to the socket hand over to the channel from the first one the kernel takes in
 * part, and take over again once the channel has written everything.
 */
@TestPropertySource(properties = "chat.session.buffer-size-limit=16MB")
class PausedReaderIntegrationTests extends GatewayTestSupport {

	/**
	 * 1,000 lines of 5 KB: more than the kernel takes for a client that does not read (its send
	 * buffer grows to 4 MB here, and it took 2.8 MB of 1 KB writes).
	 */
	private static final int LINES = 1000;

	@Test
	void aUserWhoStopsReadingGetsEveryLineOnceAndInOrderWhenItReadsAgain() {
		LineClient paused = track(LineClient.connectNotReading(LINE_PORT));
		String pausedAddress = paused.address();
		await().atMost(ChatClient.TIMEOUT).until(() -> user(pausedAddress) != null);
		LineClient sender = tcp();
		String senderAddress = sender.address();
		String text = "p".repeat(5000);
		List<String> expected = new ArrayList<>();
		expected.add(joinLine(pausedAddress, pausedAddress));
		expected.add(joinLine(senderAddress, senderAddress));
		for (int i = 0; i < LINES; i++) {
			sender.sendLine(i + text);
			expected.add(chatLine(senderAddress, senderAddress, i + text));
		}
		// Each chat comes back to its sender, the paused user's copy is queued with it.
		assertThat(sender.next(LINES)).containsExactlyElementsOf(expected.subList(2, expected.size()));

		paused.startReading();
		assertThat(paused.next(expected.size())).containsExactlyElementsOf(expected);
		sender.sendLine("after");
		assertThat(paused.next()).isEqualTo(chatLine(senderAddress, senderAddress, "after"));
	}

}
