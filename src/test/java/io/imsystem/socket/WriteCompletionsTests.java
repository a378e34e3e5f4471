package io.imsystem.socket;

import java.lang.reflect.Constructor;

import jakarta.websocket.SendHandler;
import org.junit.jupiter.api.Test;

import io.imsystem.socket.ChatConnectorProtocol.Endpoint.WriteCompletions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The completion of a WebSocket write is told from other tasks, so that it runs on a pool of its
 * own rather than behind threads that may be waiting for it. Tomcat's own completion task is used,
 * built as Tomcat builds it: should a new Tomcat rename it, this fails rather than every
 * completion silently going back to the session lane.
 */
class WriteCompletionsTests {

	@Test
	void tomcatsCompletionOfAWriteIsRecognized() throws Exception {
		Class<?> type = Class.forName("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable");
		Constructor<?> constructor = type.getDeclaredConstructors()[0];
		constructor.setAccessible(true);
		SendHandler handler = (result) -> {
		};

		assertThat(WriteCompletions.is((Runnable) constructor.newInstance(null, handler, null))).isTrue();
	}

	@Test
	void anyOtherTaskIsNot() {
		assertThat(WriteCompletions.is(() -> {
		})).isFalse();
	}

}
