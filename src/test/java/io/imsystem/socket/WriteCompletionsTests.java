package io.imsystem.socket;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;

import jakarta.websocket.SendHandler;
import org.junit.jupiter.api.Test;

import io.imsystem.socket.ChatConnectorProtocol.Endpoint.WriteCompletions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The completion of a WebSocket write runs on the thread that wrote, not as a task for the pool
 * whose threads may be waiting for it (a thread closing the session waits for the write in
 * flight); only completions nested deeper than {@link WriteCompletions#DEPTH} go to the pool.
 * Tomcat's own completion task is used, built as Tomcat builds it.
 */
class WriteCompletionsTests {

	@Test
	void aCompletionRunsOnTheWritingThread() throws Exception {
		List<Thread> ranOn = new ArrayList<>();
		Runnable completion = completion((result) -> ranOn.add(Thread.currentThread()));

		assertThat(WriteCompletions.runHere(completion)).isTrue();

		assertThat(ranOn).containsExactly(Thread.currentThread());
	}

	@Test
	void completionsNestedDeeperThanTheBoundAreLeftToThePool() throws Exception {
		List<Boolean> ranHere = new ArrayList<>();
		Runnable[] nested = new Runnable[1];
		nested[0] = completion((result) -> {
			if (ranHere.size() < 20) {
				ranHere.add(WriteCompletions.runHere(nested[0]));
			}
		});

		assertThat(WriteCompletions.runHere(nested[0])).isTrue();

		// The first ran here and DEPTH - 1 more inside it; the next was refused. Each answer is
		// recorded as its call returns: the innermost first.
		assertThat(ranHere).hasSize(WriteCompletions.DEPTH);
		assertThat(ranHere.get(0)).isFalse();
		assertThat(ranHere.subList(1, WriteCompletions.DEPTH)).containsOnly(true);
		assertThat(WriteCompletions.runHere(completion((result) -> {
		}))).as("the depth is back to zero").isTrue();
	}

	@Test
	void anyOtherTaskIsLeftToThePool() {
		List<Boolean> ran = new ArrayList<>();

		assertThat(WriteCompletions.runHere(() -> ran.add(true))).isFalse();

		assertThat(ran).isEmpty();
	}

	private static Runnable completion(SendHandler handler) throws Exception {
		Class<?> type = Class.forName("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable");
		Constructor<?> constructor = type.getDeclaredConstructors()[0];
		constructor.setAccessible(true);
		return (Runnable) constructor.newInstance(null, handler, null);
	}

}
