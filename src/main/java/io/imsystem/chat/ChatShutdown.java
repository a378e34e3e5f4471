package io.imsystem.chat;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * On shutdown (SIGTERM or context close), kicks every session with reason {@code shutdown} and a
 * 1001 close, and waits for the close frames to go out, before the web server stops. Without it,
 * clients see their TCP connection drop with no close frame (1006 in a browser).
 */
@Component
class ChatShutdown implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ChatShutdown.class);

	private final ChatService chat;

	private final Duration timeout;

	private volatile boolean running;

	ChatShutdown(ChatService chat, @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration timeout) {
		this.chat = chat;
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.chat.resume();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		try {
			this.chat.shutdown().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("Not every session's close frame went out within {}", this.timeout);
		}
		catch (ExecutionException ex) {
			logger.warn("Shutdown of chat sessions failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops first: the web server must still be up to send the close frames. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
