package io.imsystem.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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
		String text = this.writer.writeValueAsString(event);
		int bytes = Utf8.lengthIfWellFormed(text);
		if (bytes < 0) {
			// Every event's strings pass here once, whatever their source (a client's JSON, an
			// administrator's kick message): one that cannot be sent must not fail every recipient.
			text = Utf8.wellFormed(text);
			bytes = Utf8.length(text);
		}
		return new Frame(text, bytes);
	}

	/**
	 * @param text the JSON text
	 * @param bytes its size in UTF-8, for the per-session buffer limit
	 * @param utf8 the text in UTF-8, encoded once for every recipient: the container writes these
	 * bytes rather than encoding the text again for each session (see {@link #utf8()})
	 */
	public record Frame(String text, int bytes, byte[] utf8) {

		public Frame(String text, int bytes) {
			this(text, bytes, text.getBytes(StandardCharsets.UTF_8));
		}

		/** The UTF-8 bytes, as a buffer of this caller's own over the shared array. */
		public ByteBuffer utf8Buffer() {
			return ByteBuffer.wrap(this.utf8);
		}

		/** Equal frames have equal text; the bytes follow from it. */
		@Override
		public boolean equals(Object other) {
			return other instanceof Frame frame && this.text.equals(frame.text);
		}

		@Override
		public int hashCode() {
			return this.text.hashCode();
		}

		@Override
		public String toString() {
			return "Frame[" + this.text + "]";
		}

	}

}
