package io.imsystem.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real WebSocket client (the JDK's) for integration tests: it collects every event the server
 * sends, in order, and the close code. Waits are bounded polls, never sleeps.
 */
public final class ChatClient implements AutoCloseable {

	public static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

	private final CompletableFuture<Close> closed = new CompletableFuture<>();

	private final StringBuilder partial = new StringBuilder();

	private volatile boolean paused;

	/** How many events have arrived, and how many had when the close came: to prove order. */
	private final AtomicInteger received = new AtomicInteger();

	private volatile int receivedAtClose = -1;

	private final WebSocket webSocket;

	private ChatClient(URI uri, Map<String, String> headers, boolean paused) {
		this.paused = paused;
		WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
		headers.forEach(builder::header);
		this.webSocket = builder.buildAsync(uri, new Listener()).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
	}

	/** Connects to {@code /ws/chat} on the given port, asking for {@code name} unless it is null. */
	public static ChatClient connect(int port, String name) {
		return new ChatClient(uri(port, name), Map.of(), false);
	}

	/** Connects, then waits for the welcome and the own join, and returns the client. */
	public static ChatClient join(int port, String name) {
		ChatClient client = connect(port, name);
		client.next("welcome");
		client.next("presence");
		return client;
	}

	/** Connects with extra handshake headers (for example {@code Origin}). */
	public static ChatClient connect(int port, String name, Map<String, String> headers) {
		return new ChatClient(uri(port, name), headers, false);
	}

	/** Connects but never reads after the handshake: a client that stops reading. */
	public static ChatClient connectNotReading(int port, String name) {
		return new ChatClient(uri(port, name), Map.of(), true);
	}

	public static URI uri(int port, String name) {
		String query = (name != null) ? "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) : "";
		return URI.create("ws://127.0.0.1:" + port + "/ws/chat" + query);
	}

	public void send(String frame) {
		this.webSocket.sendText(frame, true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
	}

	/**
	 * Sends a frame unless the connection is closing; for loops that run until the server closes.
	 * @return whether the frame was sent
	 */
	public boolean trySend(String frame) {
		if (this.closed.isDone() || this.webSocket.isOutputClosed()) {
			return false;
		}
		try {
			send(frame);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	public void sendBinary(byte[] bytes) {
		this.webSocket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
	}

	/** The next event, whatever its type; fails after {@link #TIMEOUT}. */
	public JsonNode next() {
		try {
			JsonNode event = this.events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (event == null) {
				fail("no event within " + TIMEOUT + (this.closed.isDone() ? "; closed: " + this.closed.join() : ""));
			}
			return event;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The next event, which must be of the given type. */
	public JsonNode next(String type) {
		JsonNode event = next();
		assertThat(event.path("type").asString()).as("type of %s", event).isEqualTo(type);
		return event;
	}

	/** Skips events until one of the given type arrives. */
	public JsonNode nextOfType(String type) {
		List<JsonNode> skipped = new ArrayList<>();
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode event = next();
			if (event.path("type").asString().equals(type)) {
				return event;
			}
			skipped.add(event);
		}
		return fail("no %s event; skipped %s", type, skipped);
	}

	/**
	 * The presence changes a frame carries, in order: a {@code batch}'s entries (which carry no
	 * {@code online}), a single-change frame itself, nothing for any other event or a {@code count}.
	 */
	public static List<JsonNode> changesOf(JsonNode frame) {
		List<JsonNode> changes = new ArrayList<>();
		if (frame.path("type").asString().equals("presence")) {
			String event = frame.path("event").asString();
			if (event.equals("batch")) {
				frame.path("changes").forEach(changes::add);
			}
			else if (!event.equals("count")) {
				changes.add(frame);
			}
		}
		return changes;
	}

	/**
	 * Takes events until the joins of all these names have arrived, as single presence frames or
	 * within {@code batch} frames (contract version 2 coalesces the changes of one presence window),
	 * skipping every other event; fails after {@link #TIMEOUT}.
	 */
	public void awaitJoins(String... names) {
		Set<String> missing = new HashSet<>(List.of(names));
		List<JsonNode> skipped = new ArrayList<>();
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!missing.isEmpty() && System.nanoTime() < deadline) {
			JsonNode event = next();
			List<JsonNode> changes = changesOf(event);
			if (changes.isEmpty()) {
				skipped.add(event);
			}
			for (JsonNode change : changes) {
				if (change.path("event").asString().equals("join")) {
					missing.remove(change.path("name").asString());
				}
			}
		}
		if (!missing.isEmpty()) {
			fail("no join of %s; skipped %s", missing, skipped);
		}
	}

	/**
	 * Takes events until a presence change of this kind ({@code join}, {@code leave},
	 * {@code rename}) for this name arrives, as a single presence frame or within a {@code batch},
	 * skipping everything else; fails after {@link #TIMEOUT}.
	 * @return the change: the frame itself, or the batch's entry (which has no {@code online})
	 */
	public JsonNode awaitChange(String event, String name) {
		List<JsonNode> skipped = new ArrayList<>();
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode frame = next();
			for (JsonNode change : changesOf(frame)) {
				if (change.path("event").asString().equals(event) && change.path("name").asString().equals(name)) {
					return change;
				}
			}
			skipped.add(frame);
		}
		return fail("no %s of %s; skipped %s", event, name, skipped);
	}

	/**
	 * Takes events until the chats of all these texts have arrived (each failing after
	 * {@link #TIMEOUT} without an event).
	 * @return every event taken, in order, the chats included
	 */
	public List<JsonNode> untilChats(String... texts) {
		List<String> missing = new ArrayList<>(List.of(texts));
		List<JsonNode> events = new ArrayList<>();
		while (!missing.isEmpty()) {
			JsonNode event = next();
			events.add(event);
			if (event.path("type").asString().equals("chat")) {
				missing.remove(event.path("text").asString());
			}
		}
		return events;
	}

	/** Skips events until one matches {@code wanted}, for up to {@link #TIMEOUT}. */
	public JsonNode nextMatching(Predicate<JsonNode> wanted) {
		return nextMatching(wanted, TIMEOUT);
	}

	/**
	 * Skips events until one matches {@code wanted}; fails after {@code bound}, or when no event at
	 * all arrives for {@link #TIMEOUT}.
	 */
	public JsonNode nextMatching(Predicate<JsonNode> wanted, Duration bound) {
		long deadline = System.nanoTime() + bound.toNanos();
		int skipped = 0;
		while (System.nanoTime() < deadline) {
			JsonNode event = next();
			if (wanted.test(event)) {
				return event;
			}
			skipped++;
		}
		return fail("no matching event within %s; skipped %d", bound, skipped);
	}

	/** The next event, or {@code null} if none arrives within {@code timeout}. */
	public JsonNode poll(Duration timeout) {
		try {
			return this.events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The events that have arrived and not been taken yet, taking them. */
	public List<JsonNode> drain() {
		List<JsonNode> drained = new ArrayList<>();
		this.events.drainTo(drained);
		return drained;
	}

	/** How many events have arrived since the connection opened, taken or not. */
	public int received() {
		return this.received.get();
	}

	/**
	 * How many events had arrived when the server's close came; use after {@link #awaitClose()}.
	 * An event counted here was received before the close.
	 */
	public int receivedBeforeClose() {
		return this.receivedAtClose;
	}

	/** Asserts that no event arrives within {@code quiet}. */
	public void assertNoEvent(Duration quiet) {
		try {
			JsonNode event = this.events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(event).as("unexpected event").isNull();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The close the server sent (or 1006 for a drop); fails after {@link #TIMEOUT}. */
	public Close awaitClose() {
		return this.closed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
	}

	public boolean isClosed() {
		return this.closed.isDone();
	}

	/** Starts reading again after {@link #connectNotReading}. */
	public void resume() {
		this.paused = false;
		this.webSocket.request(1);
	}

	@Override
	public void close() {
		if (!this.webSocket.isOutputClosed()) {
			// The server may close first; then there is nothing left to say.
			this.webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
				.handle((result, failure) -> null)
				.completeOnTimeout(null, 2, TimeUnit.SECONDS)
				.join();
		}
		this.webSocket.abort();
	}

	/**
	 * Like {@link #close()}, for clean-up after a test: a server that closed at the same moment
	 * (a kick) is not an error here.
	 */
	public void closeQuietly() {
		try {
			close();
		}
		catch (RuntimeException ex) {
			this.webSocket.abort();
		}
	}

	public record Close(int code, String reason) {
	}

	private final class Listener implements WebSocket.Listener {

		@Override
		public void onOpen(WebSocket webSocket) {
			if (!ChatClient.this.paused) {
				webSocket.request(1);
			}
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			ChatClient.this.partial.append(data);
			if (last) {
				ChatClient.this.events.add(JSON.readTree(ChatClient.this.partial.toString()));
				ChatClient.this.received.incrementAndGet();
				ChatClient.this.partial.setLength(0);
			}
			if (!ChatClient.this.paused) {
				webSocket.request(1);
			}
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			ChatClient.this.receivedAtClose = ChatClient.this.received.get();
			ChatClient.this.closed.complete(new Close(statusCode, reason));
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			if (!ChatClient.this.closed.isDone()) {
				ChatClient.this.receivedAtClose = ChatClient.this.received.get();
			}
			// The JDK wraps what was wrong with a frame (an opcode, a close code) in the cause.
			String cause = (error.getCause() != null) ? " caused by " + error.getCause() : "";
			ChatClient.this.closed.complete(new Close(1006, error + cause));
		}

	}

}
