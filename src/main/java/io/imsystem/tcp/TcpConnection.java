package io.imsystem.tcp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;

/**
 * The one sender of a line-protocol client. Every write, from whatever thread, goes through the
 * channel's event loop as a task, so lines leave in the order {@link #send} was called and no
 * caller waits on a client. Bytes handed over but not yet taken by the kernel are counted; a
 * client that lets more than {@code bufferSizeLimit} pile up is reported as slow, and dropped
 * without anyone else noticing.
 */
final class TcpConnection implements Connection {

	private final Channel channel;

	private final String remoteAddress;

	private final long bufferSizeLimit;

	private final Duration closeTimeout;

	private final Runnable onSlow;

	private final AtomicLong queuedBytes = new AtomicLong();

	private volatile boolean closing;

	private volatile ChatSession session;

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	/**
	 * @param closeTimeout how long a close may wait for queued lines to be written before the
	 * connection is dropped anyway
	 * @param onSlow called, once or more, when the buffer limit is exceeded
	 */
	TcpConnection(Channel channel, long bufferSizeLimit, Duration closeTimeout, Runnable onSlow) {
		this.channel = channel;
		this.remoteAddress = format(channel.remoteAddress());
		this.bufferSizeLimit = bufferSizeLimit;
		this.closeTimeout = closeTimeout;
		this.onSlow = onSlow;
		channel.closeFuture().addListener((future) -> this.closed.complete(null));
	}

	/** Tells the connection whose it is, once the session has joined. */
	void attach(ChatSession session) {
		this.session = session;
	}

	ChatSession session() {
		return this.session;
	}

	@Override
	public String remoteAddress() {
		return this.remoteAddress;
	}

	/** Line users see each other's addresses, as in the original protocol. */
	@Override
	public String shownAddress() {
		return this.remoteAddress;
	}

	@Override
	public void send(Envelope envelope) {
		write(envelope, true);
	}

	@Override
	public void hold(Envelope envelope) {
		write(envelope, false);
	}

	@Override
	public void flush() {
		// Runs after every write queued before it on the channel's event loop.
		execute(this.channel::flush);
	}

	private void write(Envelope envelope, boolean flush) {
		if (this.closing || isOwnPrivateMessage(envelope.event())) {
			return;
		}
		byte[] line = envelope.encoded(LineEncoding.INSTANCE);
		if (line.length == 0) {
			return;
		}
		if (this.queuedBytes.addAndGet(line.length) > this.bufferSizeLimit) {
			this.onSlow.run();
			return;
		}
		execute(() -> {
			ByteBuf buffer = Unpooled.wrappedBuffer(line);
			ChannelFuture written = flush ? this.channel.writeAndFlush(buffer) : this.channel.write(buffer);
			written.addListener((future) -> this.queuedBytes.addAndGet(-line.length));
		});
	}

	@Override
	public void close(CloseCode code) {
		if (this.closing) {
			return;
		}
		this.closing = true;
		execute(() -> {
			// Queued before this task, so everything sent so far goes out before the close.
			this.channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			// A client that does not read could hold the close up for good: bound the wait.
			this.channel.eventLoop().schedule(this::drop, this.closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
		});
	}

	@Override
	public void abort(CloseCode code) {
		this.closing = true;
		execute(this::drop);
	}

	@Override
	public CompletableFuture<Void> closed() {
		return this.closed;
	}

	/** Closes with a reset: unsent lines are discarded and the socket is freed at once. */
	private void drop() {
		if (this.channel.isOpen()) {
			this.channel.config().setOption(ChannelOption.SO_LINGER, 0);
			this.channel.close();
		}
	}

	/**
	 * Whether this is the sender's own copy of a private message: the original showed private
	 * messages to their target only. The sender's name cannot change while the message is on its
	 * way here, since a session's commands are handled one at a time.
	 */
	private boolean isOwnPrivateMessage(ServerEvent event) {
		ChatSession own = this.session;
		return own != null && event instanceof ServerEvent.Private message && !message.from().equals(message.to())
				&& message.from().equals(own.name());
	}

	private void execute(Runnable task) {
		try {
			this.channel.eventLoop().execute(task);
		}
		catch (RejectedExecutionException ex) {
			// The gateway is stopping: its event loops close every channel themselves.
		}
	}

	static String format(SocketAddress address) {
		if (!(address instanceof InetSocketAddress inet)) {
			return String.valueOf(address);
		}
		String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
		return Connection.address(host, inet.getPort());
	}

}
