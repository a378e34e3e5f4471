package io.imsystem.tcp;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.FastThreadLocal;

import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Connection;
import io.imsystem.session.SendBudget;

/**
 * The one sender of a line-protocol client. Callers, from whatever thread, only queue lines; the
 * channel's event loop takes everything queued so far and writes it at once, so lines leave in the
 * order {@link #send} was called, no caller waits on a client, and a burst costs one write per
 * event-loop turn instead of one per line (Centrifugo's writer merges queued messages the same
 * way). Bytes queued but not yet taken by the kernel are counted; a client that lets more than
 * {@code bufferSizeLimit} pile up is reported as slow, and dropped without anyone else noticing.
 * <p>
 * On the epoll transport the lines go straight from the event loop's scratch buffer to the socket
 * while the kernel takes them all, and through the channel only from the first write it takes in
 * part until the channel has written everything again (see {@link #writeDirect}).
 */
final class TcpConnection implements Connection {

	/** The most bytes one buffer handed to the channel holds (a single longer line gets its own). */
	static final int WRITE_CHUNK = 16 * 1024;

	/** The most bytes one write straight to the socket takes (a longer line goes through the channel). */
	static final int DIRECT_CHUNK = 64 * 1024;

	private static final VarHandle PENDING;

	static {
		try {
			PENDING = MethodHandles.lookup().findVarHandle(TcpConnection.class, "pending", Line.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * One per event-loop thread, which fills it and writes it before it runs anything else: a
	 * buffer per connection would cost 64 KB for each of 19,000 clients.
	 */
	private static final FastThreadLocal<ByteBuffer> SCRATCH = new FastThreadLocal<>() {

		@Override
		protected ByteBuffer initialValue() {
			return ByteBuffer.allocateDirect(DIRECT_CHUNK);
		}

	};

	private final Channel channel;

	/** The socket, written straight to on the epoll transport; {@code null} on any other. */
	private final FileDescriptor socket;

	private final String remoteAddress;

	private final Duration closeTimeout;

	private final Runnable onSlow;

	/** What waits unsent for this client, against {@code chat.session.buffer-size-limit}. */
	private final SendBudget budget;

	/**
	 * Encoded lines not yet written, newest first: senders push with one CAS each, and the event
	 * loop takes them all with one swap and reverses them. A queue cost each line a CAS to add and
	 * another to take, and taking them was a tenth of the event loops' time in a burst.
	 */
	@SuppressWarnings("unused") // through PENDING
	private volatile Line pending;

	/** Set while a task that writes {@link #pending} is queued on the event loop: one at a time. */
	private final AtomicBoolean writeScheduled = new AtomicBoolean();

	private final Runnable writeTask = this::writePending;

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
		this.socket = (channel instanceof EpollSocketChannel epoll) ? epoll.fd() : null;
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
		Line added = new Line(line);
		Line newest;
		do {
			newest = this.pending;
			added.next = newest;
		}
		while (!PENDING.compareAndSet(this, newest, added));
		if (flush) {
			scheduleWrite();
		}
	}

	private void scheduleWrite() {
		// Read first: while a write is scheduled, as it is for most lines of a burst, the flag's
		// cache line stays shared instead of moving to every sender's core for a CAS that fails.
		if (!this.writeScheduled.get() && this.writeScheduled.compareAndSet(false, true)) {
			// At the end of the loop's turn, after everything it read in that turn has been
			// delivered: a write then carries more lines. System calls to write took 29 % of the
			// event loops' CPU in a burst to 1,000 clients.
			execute(this.writeTask, true);
		}
	}

	/**
	 * On the event loop: writes every queued line, oldest first. The flag is cleared before the
	 * lines are taken, so a line queued after that schedules the next task, and none is left behind.
	 */
	private void writePending() {
		this.writeScheduled.set(false);
		Line lines = takeOldestFirst();
		if (lines == null) {
			return;
		}
		ChannelOutboundBuffer outbound = this.channel.unsafe().outboundBuffer();
		if (this.socket != null && outbound != null && outbound.totalPendingWriteBytes() == 0
				&& this.channel.isActive()) {
			lines = writeDirect(lines);
			if (lines == null && outbound.totalPendingWriteBytes() == 0) {
				return;
			}
		}
		writeThroughChannel(lines);
	}

	private Line takeOldestFirst() {
		Line newest = (Line) PENDING.getAndSet(this, null);
		Line oldest = null;
		while (newest != null) {
			Line next = newest.next;
			newest.next = oldest;
			oldest = newest;
			newest = next;
		}
		return oldest;
	}

	/**
	 * Writes {@code lines} straight to the socket, from this event loop's scratch buffer, for as
	 * long as the kernel takes every byte. Netty's channel had nothing left to write when this
	 * started, so nothing can overtake these bytes; the part of a buffer the kernel did not take
	 * goes to the channel, which waits until the socket is writable, and everything after it has
	 * to follow it there.
	 * <p>
	 * Why: a burst to 1,000 line clients spent as much CPU compiling the write path through the
	 * channel (its pipeline, outbound buffer, allocator and the JDK's socket) as writing with it,
	 * and compiled it again whenever a branch it had not yet seen was taken. This path is a copy
	 * and a system call.
	 * @return the lines still to be written, through the channel ({@code null} if none); a part
	 * written buffer has been handed to the channel already, not yet flushed
	 */
	private Line writeDirect(Line lines) {
		ByteBuffer scratch = SCRATCH.get();
		Line next = lines;
		while (next != null) {
			scratch.clear();
			// The exempt answer, if this buffer holds it.
			byte[] answer = null;
			while (next != null && next.bytes.length <= scratch.remaining()) {
				scratch.put(next.bytes);
				if (this.budget.isExempt(next.bytes)) {
					answer = next.bytes;
				}
				next = next.next;
			}
			int length = scratch.position();
			if (length == 0) {
				// A line longer than the scratch buffer.
				return next;
			}
			int written;
			try {
				written = this.socket.write(scratch, 0, length);
			}
			catch (IOException ex) {
				// The channel's own write fails the same way, and closes the connection.
				written = 0;
			}
			if (written == length) {
				this.budget.written(length, answer);
				continue;
			}
			this.budget.written(written, null);
			ByteBuf rest = this.channel.alloc().directBuffer(length - written);
			rest.writeBytes(scratch.limit(length).position(written));
			write(rest, answer);
			return next;
		}
		return null;
	}

	/**
	 * Hands {@code lines} to the channel in buffers of at most {@link #WRITE_CHUNK} bytes, then
	 * flushes once (also when {@code lines} is {@code null}, for what is already handed over).
	 */
	private void writeThroughChannel(Line lines) {
		ByteBuf buffer = null;
		// The exempt answer, if the buffer being filled holds it.
		byte[] answer = null;
		for (Line each = lines; each != null; each = each.next) {
			byte[] line = each.bytes;
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
		}
		this.channel.flush();
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
		execute(task, false);
	}

	/** @param afterTurn whether the task may wait for the end of the event loop's current turn */
	private void execute(Runnable task, boolean afterTurn) {
		try {
			if (afterTurn && this.channel.eventLoop() instanceof SingleThreadEventLoop loop) {
				loop.executeAfterEventLoopIteration(task);
			}
			else {
				this.channel.eventLoop().execute(task);
			}
		}
		catch (RejectedExecutionException ex) {
			// The gateway is stopping: its event loops close every channel themselves.
		}
	}

	/** One queued line, linked to the one queued before it (after it, once taken and reversed). */
	private static final class Line {

		final byte[] bytes;

		Line next;

		Line(byte[] bytes) {
			this.bytes = bytes;
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
