package io.imsystem.session;

import java.util.concurrent.CompletableFuture;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;

/**
 * One client's transport, as the chat logic sees it. Implementations never block the caller: they
 * queue what they are given, write it in order, and close a client that cannot keep up.
 */
public interface Connection {

	/** The client's address, {@code host:port} (see {@link #address}). */
	String remoteAddress();

	/**
	 * The address other users are shown for this client, or {@code null} to show none. Only line
	 * users are shown theirs, to each other, as in the original system; a WebSocket user's address
	 * never reaches another user (the line protocol shows a placeholder instead).
	 */
	default String shownAddress() {
		return null;
	}

	/**
	 * A client's address as the chat shows it: {@code 127.0.0.1:54062}, {@code [::1]:54062}. Both
	 * transports use it, so a WebSocket user and an {@code nc} user look alike in {@code who}.
	 */
	static String address(String host, int port) {
		return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
	}

	/** Queues an event for this client. Does nothing once the connection is closing. */
	void send(Envelope envelope);

	/**
	 * Queues an event without writing it yet: it goes out with the next {@link #send} or
	 * {@link #flush}, in order. A joining session holds its welcome and its own join until it
	 * receives broadcasts, so its client cannot act on the join before then.
	 */
	default void hold(Envelope envelope) {
		send(envelope);
	}

	/** Writes whatever {@link #hold} queued. */
	default void flush() {
	}

	/** Closes after everything queued so far has been written, so a final event is not lost. */
	void close(CloseCode code);

	/** Closes now, dropping anything unwritten: for a client that does not read. */
	void abort(CloseCode code);

	/**
	 * Completes once a close asked for by {@link #close} or {@link #abort} is done: the close frame
	 * is written, or the connection is gone. Shutdown waits on it.
	 */
	CompletableFuture<Void> closed();

}
