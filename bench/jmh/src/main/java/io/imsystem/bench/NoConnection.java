package io.imsystem.bench;

import java.util.concurrent.CompletableFuture;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.session.Connection;

/** A connection that goes nowhere: the benchmarks measure the chat's own work, not a socket's. */
final class NoConnection implements Connection {

	static final NoConnection INSTANCE = new NoConnection();

	private final CompletableFuture<Void> closed = CompletableFuture.completedFuture(null);

	@Override
	public String remoteAddress() {
		return "127.0.0.1:1";
	}

	@Override
	public void send(Envelope envelope) {
	}

	@Override
	public void close(CloseCode code) {
	}

	@Override
	public void abort(CloseCode code) {
	}

	@Override
	public CompletableFuture<Void> closed() {
		return this.closed;
	}

}
