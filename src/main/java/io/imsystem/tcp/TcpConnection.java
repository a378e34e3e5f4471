package io.imsystem.tcp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;
import io.imsystem.session.SendBudget;

/**
 * The one sender of a line-protocol client. Callers, from whatever thread, only queue lines; the
 * channel's event loop takes everything queued so far and writes it as one buffer with one flush,
 * so lines leave in the order {@link #send} was called, no caller waits on a client, and a burst
 * costs one write per event-loop turn instead of one per line (Centrifugo's writer merges queued
 * messages the same way). Bytes queued but not yet taken by the kernel are counted; a client that
 * lets more than {@code bufferSizeLimit} pile up is reported as slow, and dropped without anyone
 * else noticing.
 */
final class TcpConnection implements Connection {

	/** The most bytes one buffer handed to the channel holds (a single longer line gets its own). */
	static final int WRITE_CHUNK = 16 * 1024;

	private final Channel channel;

	private final String remoteAddress;



	private final Duration closeTimeout;

	private final Runnable onSlow;

	/** What waits unsent for this client, against {@code chat.session.buffer-size-limit}. */
	private final SendBudget budget;

	/** Encoded lines not yet handed to the channel, oldest first. */
	private final Queue<byte[]> pending = new ConcurrentLinkedQueue<>();

	/** Set while a task that writes {@link #pending} is queued on the event loop: one at a time. */
	private final AtomicBoolean writeScheduled = new AtomicBoolean();

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
		this.budget = new SendBudget(bufferSizeLimit);
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
		scheduleWrite();
	}

	private void write(Envelope envelope, boolean flush) {
		if (this.closing || isOwnPrivateMessage(envelope.event())) {
			return;
		}
		byte[] line = envelope.encoded(LineEncoding.INSTANCE);
		if (line.length == 0) {
			return;
		}
		if (!this.budget.take(line, line.length, envelope.event())) {
			this.onSlow.run();
			return;
		}
		this.pending.add(line);
		if (flush) {
			scheduleWrite();
		}
	}

	private void scheduleWrite() {
		if (this.writeScheduled.compareAndSet(false, true)) {
			execute(this::writePending);
		}
	}

	/**
	 * On the event loop: hands every queued line to the channel in buffers of at most
	 * {@link #WRITE_CHUNK} bytes, then flushes once. The flag is cleared before the queue is read,
	 * so a line queued after the last poll schedules the next task, and none is left behind.
	 */
	private void writePending() {
		this.writeScheduled.set(false);
		ByteBuf buffer = null;
		// The exempt answer, if the buffer being filled holds it.
		byte[] answer = null;
		byte[] line;
		while ((line = this.pending.poll()) != null) {
			if (buffer != null && buffer.writableBytes() < line.length) {
				write(buffer, answer);
				buffer = null;
				answer = null;
			}
			if (buffer == null) {
				buffer = this.channel.alloc().buffer(Math.max(WRITE_CHUNK, line.length));
			}
			buffer.writeBytes(line);
			if (this.budget.isExempt(line)) {
				answer = line;
			}
		}
		if (buffer != null) {
			write(buffer, answer);
			this.channel.flush();
		}
	}

	private void write(ByteBuf buffer, byte[] answer) {
		int bytes = buffer.readableBytes();
		this.channel.write(buffer).addListener((future) -> this.budget.written(bytes, answer));
	}

	@Override
	public void close(CloseCode code) {
		if (this.closing) {
			return;
		}
		this.closing = true;
		execute(() -> {
			// Everything sent so far goes out before the close.
			writePending();
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
