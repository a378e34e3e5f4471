package io.imsystem.support;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.Connection;

/**
 * A {@link Connection} that keeps what it is given, for unit tests without a socket. Like the real
 * ones, it ignores events once it is closing, and may be sent to, held for and flushed from any
 * thread at once: each call is atomic, so what a send or flush writes stays in order.
 */
public final class RecordingConnection implements Connection {

	private final String remoteAddress;

	private final boolean addressShown;

	private final List<Envelope> sent = new CopyOnWriteArrayList<>();

	private volatile CloseCode closedWith;

	private volatile boolean aborted;

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	private volatile Consumer<Envelope> onSend = (envelope) -> {
	};

	public RecordingConnection() {
		this("127.0.0.1:50000");
	}

	public RecordingConnection(String remoteAddress) {
		this(remoteAddress, true);
	}

	private RecordingConnection(String remoteAddress, boolean addressShown) {
		this.remoteAddress = remoteAddress;
		this.addressShown = addressShown;
	}

	/** A connection whose address is not shown to other users, as a WebSocket user's is not. */
	public static RecordingConnection withHiddenAddress(String remoteAddress) {
		return new RecordingConnection(remoteAddress, false);
	}

	@Override
	public String remoteAddress() {
		return this.remoteAddress;
	}

	/** Shown by default, as a line user's is: the events then carry it, as the tests expect. */
	@Override
	public String shownAddress() {
		return this.addressShown ? this.remoteAddress : null;
	}

	/** Queued by {@link #hold}: not sent (not seen by the client) until the next send or flush. */
	private final List<Envelope> held = new CopyOnWriteArrayList<>();

	@Override
	public synchronized void send(Envelope envelope) {
		flush();
		if (this.closedWith == null) {
			this.sent.add(envelope);
			this.onSend.accept(envelope);
		}
	}

	@Override
	public synchronized void hold(Envelope envelope) {
		if (this.closedWith == null) {
			this.held.add(envelope);
		}
	}

	@Override
	public synchronized void flush() {
		while (!this.held.isEmpty()) {
			Envelope next = this.held.remove(0);
			if (this.closedWith == null) {
				this.sent.add(next);
				this.onSend.accept(next);
			}
		}
	}

	/** Runs {@code action} after each event is recorded: to act while the sender is mid-way. */
	public void onSend(Consumer<Envelope> action) {
		this.onSend = action;
	}

	@Override
	public CompletableFuture<Void> closed() {
		return this.closed;
	}

	@Override
	public void close(CloseCode code) {
		if (this.closedWith == null) {
			this.closedWith = code;
			this.closed.complete(null);
		}
	}

	@Override
	public void abort(CloseCode code) {
		close(code);
		this.aborted = true;
	}

	/** The envelopes sent so far, in order. */
	public List<Envelope> envelopes() {
		return List.copyOf(this.sent);
	}

	/** The events sent so far, in order. */
	public List<ServerEvent> events() {
		return this.sent.stream().map(Envelope::event).toList();
	}

	/** The events of one type sent so far, in order. */
	public <T extends ServerEvent> List<T> events(Class<T> type) {
		return this.sent.stream().map(Envelope::event).filter(type::isInstance).map(type::cast).toList();
	}

	/** The close code, or {@code null} while open. */
	public CloseCode closedWith() {
		return this.closedWith;
	}

	public boolean aborted() {
		return this.aborted;
	}

}
