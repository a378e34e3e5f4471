package io.imsystem.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.chat.ChatRun;
import io.imsystem.chat.ChatService;
import io.imsystem.protocol.CloseCode;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.AddressLimiter;
import io.imsystem.session.ChatSession;

/**
 * Lines in, commands out: one per channel. A connection joins under its address, each line goes
 * to the chat service exactly as a WebSocket text frame would, and the channel's end is the
 * session's leave. Runs on the channel's event loop only.
 */
final class LineHandler extends SimpleChannelInboundHandler<ByteBuf> {

	private static final Logger logger = LoggerFactory.getLogger(LineHandler.class);

	/** The refusal a host over {@code chat.limits.connections-per-address} gets before the close. */
	static final String TOO_MANY_CONNECTIONS = "连接过多，请稍后再试\n";

	private final ChatService chat;

	private final Clock clock;

	private final int maxLineBytes;

	private final long bufferSizeLimit;

	private final Duration closeTimeout;

	private final AddressLimiter addressLimiter;

	/** The address counted against the per-address limit, or {@code null} when not counted. */
	private String countedAddress;

	private TcpConnection connection;

	private volatile ChatSession session;

	private LeaveReason leaveReason = LeaveReason.QUIT;

	/**
	 * The chats of the read being handled: they go out together when it is over (a burst of lines
	 * from one client is one delivery per recipient, not one per line).
	 */
	private final ChatRun run = new ChatRun();

	LineHandler(ChatService chat, Clock clock, int maxLineBytes, long bufferSizeLimit, Duration closeTimeout,
			AddressLimiter addressLimiter) {
		this.chat = chat;
		this.addressLimiter = addressLimiter;
		this.clock = clock;
		this.maxLineBytes = maxLineBytes;
		this.bufferSizeLimit = bufferSizeLimit;
		this.closeTimeout = closeTimeout;
	}

	/** The session of this channel, or {@code null} before it joined. */
	ChatSession session() {
		return this.session;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		String host = (ctx.channel().remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null)
				? inet.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
		if (!this.addressLimiter.tryAcquire(host)) {
			// The same cap as for WebSocket handshakes (429): one host cannot take every socket.
			ctx.writeAndFlush(Unpooled.copiedBuffer(TOO_MANY_CONNECTIONS, StandardCharsets.UTF_8))
				.addListener(ChannelFutureListener.CLOSE);
			return;
		}
		this.countedAddress = host;
		this.connection = new TcpConnection(ctx.channel(), this.bufferSizeLimit, this.closeTimeout, this::slow);
		this.session = this.chat.joinAs(this.connection, this.connection.remoteAddress());
		this.connection.attach(this.session);
		ctx.fireChannelActive();
	}

	@Override
	protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
		ChatSession session = this.session;
		if (session == null || session.isEnded()) {
			// Kicked, and its close is on the way: what it still sends is not said.
			return;
		}
		int end = line.writerIndex();
		// The decoder strips "\n" or "\r\n"; a client may still end a line with more '\r's.
		while (end > line.readerIndex() && line.getByte(end - 1) == '\r') {
			end--;
		}
		int length = end - line.readerIndex();
		if (length > this.maxLineBytes) {
			tooLong();
			return;
		}
		this.chat.receive(session, line.toString(line.readerIndex(), length, StandardCharsets.UTF_8), this.run);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		this.chat.flush(this.run);
		ctx.fireChannelReadComplete();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof TooLongFrameException) {
			// The decoder has already thrown the whole line away; the connection goes on.
			tooLong();
			return;
		}
		if (cause instanceof IOException) {
			logger.debug("Connection {} failed", ctx.channel().remoteAddress(), cause);
		}
		else {
			logger.warn("Closing connection {} after an unexpected error", ctx.channel().remoteAddress(), cause);
			this.leaveReason = LeaveReason.ERROR;
		}
		ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		// What the client said before it went goes out before its leave.
		this.chat.flush(this.run);
		if (this.countedAddress != null) {
			this.addressLimiter.release(this.countedAddress);
			this.countedAddress = null;
		}
		if (this.session != null) {
			this.chat.closed(this.session, this.leaveReason);
		}
		ctx.fireChannelInactive();
	}

	/**
	 * A line over the limit is refused whole, never split into several messages. It still counts
	 * as activity: a person typed it.
	 */
	private void tooLong() {
		// The refusal comes after the chats sent before the line.
		this.chat.flush(this.run);
		if (this.session != null) {
			this.session.touch(this.clock.millis());
			this.chat.refuse(this.session, ErrorCause.TEXT_TOO_LONG, "line longer than " + this.maxLineBytes + " bytes");
		}
	}

	private void slow() {
		ChatSession slow = this.connection.session();
		if (slow != null) {
			this.chat.tooSlow(slow);
		}
		else {
			this.connection.abort(CloseCode.TOO_SLOW);
		}
	}

}
