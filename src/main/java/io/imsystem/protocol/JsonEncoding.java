package io.imsystem.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/** The JSON text of an event, as WebSocket clients receive it. */
public final class JsonEncoding implements Envelope.Encoding<JsonEncoding.Frame> {

	public static final JsonEncoding INSTANCE = new JsonEncoding();

	private final ObjectWriter writer = JsonMapper.builder().build().writerFor(ServerEvent.class);

	private JsonEncoding() {
	}

	@Override
	public int slot() {
		return 0;
	}

	@Override
	public Frame encode(ServerEvent event) {
		if (event instanceof ServerEvent.Chats) {
			throw new IllegalArgumentException("chats sent together go out as a frame each, never as one");
		}
		String text = this.writer.writeValueAsString(event);
		if (Utf8.lengthIfWellFormed(text) < 0) {
			// Every event's strings pass here once, whatever their source (a client's JSON, an
			// administrator's kick message): one that cannot be sent must not fail every recipient.
			text = Utf8.wellFormed(text);
		}
		return new Frame(text);
	}

	/**
	 * An event's JSON text, kept as its UTF-8 bytes: encoded once for every recipient, and written
	 * by the container as they are rather than encoded again for each session. The size the
	 * per-session buffer limit counts is theirs; the text is decoded when asked for (cluster mode
	 * publishes it once per event).
	 */
	public static final class Frame {

		private final byte[] utf8;

		/** @param text well-formed text (no lone surrogate): what {@link JsonEncoding#encode} makes */
		public Frame(String text) {
			this.utf8 = text.getBytes(StandardCharsets.UTF_8);
		}

		public String text() {
			return new String(this.utf8, StandardCharsets.UTF_8);
		}

		/** Its size in UTF-8, for the per-session buffer limit. */
		public int bytes() {
			return this.utf8.length;
		}

		/** The UTF-8 bytes, as a buffer of this caller's own over the shared array. */
		public ByteBuffer utf8Buffer() {
			return ByteBuffer.wrap(this.utf8);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Frame frame && Arrays.equals(this.utf8, frame.utf8);
		}

		@Override
		public int hashCode() {
			return Arrays.hashCode(this.utf8);
		}

		@Override
		public String toString() {
			return "Frame[" + text() + "]";
		}

	}

}
