package io.imsystem.protocol;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One event on its way to any number of recipients. Each wire encoding is computed at most once
 * per envelope, however many sessions receive it: a broadcast to 10,000 sessions serializes its
 * event once.
 */
public final class Envelope {

	private final ServerEvent event;

	private final AtomicReferenceArray<Object> encoded = new AtomicReferenceArray<>(Encoding.SLOTS);

	public Envelope(ServerEvent event) {
		this.event = event;
	}

	/**
	 * An envelope whose encoding in {@code encoding} is already known: an event that arrived from
	 * another node with its encoding, which is then not computed again on this node.
	 */
	public static <T> Envelope preEncoded(ServerEvent event, Encoding<T> encoding, T value) {
		Envelope envelope = new Envelope(event);
		envelope.encoded.set(encoding.slot(), value);
		return envelope;
	}

	public ServerEvent event() {
		return this.event;
	}

	/** The event in the given encoding, computed on first use and shared afterwards. */
	@SuppressWarnings("unchecked")
	public <T> T encoded(Encoding<T> encoding) {
		Object value = this.encoded.get(encoding.slot());
		if (value == null) {
			// Two threads may both encode; the results are equal and either may win.
			value = encoding.encode(this.event);
			this.encoded.compareAndSet(encoding.slot(), null, value);
		}
		return (T) value;
	}

	/**
	 * A wire encoding of events. Each encoding owns one slot in every envelope's cache.
	 *
	 * @param <T> the encoded form
	 */
	public interface Encoding<T> {

		/** How many encodings exist: one per transport. */
		int SLOTS = 2;

		int slot();

		T encode(ServerEvent event);

	}

}
