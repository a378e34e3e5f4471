package io.imsystem.tcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.support.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's sender, on Netty's embedded channel: its event loop runs only when the test says
 * so, which shows what one turn of a real event loop writes.
 */
class TcpConnectionTests {

	private static final String ADDRESS = "127.0.0.1:36574";

	/** What the gateway writes before the text of a chat line from bob. */
	private static final String PREFIX = "[" + ADDRESS + "]bob:";

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final AtomicInteger slowReports = new AtomicInteger();

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	@Test
	void linesQueuedBeforeATurnOfTheEventLoopLeaveAsOneWriteInOrder() {
		TcpConnection connection = connection(1024 * 1024);
		for (int i = 0; i < 100; i++) {
			connection.send(chat("line " + i));
		}
		this.channel.runPendingTasks();
		List<String> writes = writes();
		assertThat(writes).hasSize(1);
		StringBuilder expected = new StringBuilder();
		for (int i = 0; i < 100; i++) {
			expected.append(PREFIX).append("line ").append(i).append('\n');
		}
		assertThat(writes.get(0)).isEqualTo(expected.toString());
	}

	@Test
	void aBurstLargerThanOneChunkIsSplitWithoutLosingOrCuttingALine() {
		TcpConnection connection = connection(10 * 1024 * 1024);
		String text = "x".repeat(900);
		int lines = 3 * TcpConnection.WRITE_CHUNK / 900;
		for (int i = 0; i < lines; i++) {
			connection.send(chat(i + text));
		}
		this.channel.runPendingTasks();
		List<String> writes = writes();
		assertThat(writes).hasSizeBetween(3, 4);
		List<String> received = new ArrayList<>();
		for (String write : writes) {
			assertThat(write).endsWith("\n");
			assertThat(write.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(TcpConnection.WRITE_CHUNK);
			received.addAll(List.of(write.split("\n")));
		}
		assertThat(received).hasSize(lines);
		for (int i = 0; i < lines; i++) {
			assertThat(received.get(i)).isEqualTo(PREFIX + i + text);
		}
	}

	@Test
	void heldLinesWaitForTheFlushAndLineSentAfterATurnGoInTheNextWrite() {
		TcpConnection connection = connection(1024 * 1024);
		connection.hold(chat("first"));
		this.channel.runPendingTasks();
		assertThat(writes()).isEmpty();
		connection.send(chat("second"));
		this.channel.runPendingTasks();
		connection.send(chat("third"));
		this.channel.runPendingTasks();
		assertThat(writes()).containsExactly(
				PREFIX + "first\n" + PREFIX + "second\n",
				PREFIX + "third\n");
	}

	@Test
	void aCloseWritesWhatWasQueuedBeforeIt() {
		TcpConnection connection = connection(1024 * 1024);
		connection.hold(chat("bye"));
		connection.close(CloseCode.GOING_AWAY);
		connection.send(chat("too late"));
		this.channel.runPendingTasks();
		assertThat(String.join("", writes())).isEqualTo(PREFIX + "bye\n");
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aClientThatLetsMoreThanTheLimitPileUpIsReportedSlowAndGetsNoMore() {
		String text = "y".repeat(100);
		int lineBytes = (PREFIX + text + "\n").getBytes(StandardCharsets.UTF_8).length;
		TcpConnection connection = connection(10L * lineBytes);
		for (int i = 0; i < 11; i++) {
			connection.send(chat(text));
		}
		assertThat(this.slowReports).hasPositiveValue();
		this.channel.runPendingTasks();
		assertThat(String.join("", writes())).hasSize(10 * lineBytes);
	}

	@Test
	void anAnswerToWhoLargerThanTheLimitIsWrittenAndOnlyOneAtATimeIsExempt() {
		TcpConnection connection = connection(1024);
		connection.send(users(100));
		connection.send(chat("after the list"));
		assertThat(this.slowReports).as("slow reports with one answer queued").hasValue(0);
		connection.send(users(100));
		assertThat(this.slowReports).as("slow reports with a second answer queued").hasValue(1);
	}

	@Test
	void onceAnAnswerIsWrittenTheNextOneIsExemptAgain() {
		TcpConnection connection = connection(1024);
		connection.send(users(100));
		this.channel.runPendingTasks();
		assertThat(String.join("", writes())).contains("user-99");
		connection.send(users(100));
		this.channel.runPendingTasks();
		assertThat(this.slowReports).hasValue(0);
		assertThat(String.join("", writes())).contains("user-99");
	}

	private static Envelope users(int count) {
		return new Envelope(TestEvents.users(count));
	}

	private TcpConnection connection(long bufferSizeLimit) {
		return new TcpConnection(this.channel, bufferSizeLimit, Duration.ofSeconds(1), this.slowReports::incrementAndGet);
	}

	private static Envelope chat(String text) {
		return new Envelope(new ServerEvent.Chat("bob", text, 1, ADDRESS));
	}

	private List<String> writes() {
		List<String> writes = new ArrayList<>();
		ByteBuf buffer;
		while ((buffer = this.channel.readOutbound()) != null) {
			if (buffer.isReadable()) {
				writes.add(buffer.toString(StandardCharsets.UTF_8));
			}
			buffer.release();
		}
		return writes;
	}

}
