package io.imsystem.tcp;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.AddressLimiter;
import io.imsystem.session.ChatSession;

import org.springframework.context.SmartLifecycle;

/**
 * The line-protocol TCP listener: the original IM system's {@code nc} users join the same room as
 * WebSocket users. Two event-loop threads serve every connection; nothing blocks on a client.
 * Listens from the start of the application context to its stop, when every line user is kicked
 * with reason {@code shutdown} before the listener closes.
 */
public final class TcpGateway implements SmartLifecycle {

	/** The text of the kick line that line users get when the server stops. */
	static final String SHUTDOWN_MESSAGE = "服务器正在关闭";

	private static final Logger logger = LoggerFactory.getLogger(TcpGateway.class);

	private static final int THREADS = 2;

	private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(2);

	private final ChatService chat;

	private final ChatProperties properties;

	private final Clock clock;

	private final AddressLimiter addressLimiter;

	private final ChannelGroup channels = new DefaultChannelGroup("chat-tcp", GlobalEventExecutor.INSTANCE);

	private volatile EventLoopGroup group;

	private volatile Channel listener;

	private volatile int port = -1;

	TcpGateway(ChatService chat, ChatProperties properties, Clock clock, AddressLimiter addressLimiter) {
		this.chat = chat;
		this.addressLimiter = addressLimiter;
		this.properties = properties;
		this.clock = clock;
	}

	/** The port the gateway listens on (the real one when {@code chat.tcp.port} is 0), or -1. */
	public int port() {
		return this.port;
	}

	/** How many line-protocol connections are open now. */
	public int openConnections() {
		return this.channels.size();
	}

	@Override
	public void start() {
		ChatProperties.Tcp tcp = this.properties.tcp();
		ChatProperties.Session limits = this.properties.session();
		// epoll saves the most on a burst (TcpConnection.writeDirect says why); NIO runs anywhere.
		boolean epoll = tcp.nativeTransport() && Epoll.isAvailable();
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(THREADS, new DefaultThreadFactory("chat-tcp", true),
				epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
		ServerBootstrap bootstrap = new ServerBootstrap().group(group)
			.channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.SO_KEEPALIVE, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel channel) {
					TcpGateway.this.channels.add(channel);
					// One byte more than the limit: room for the '\r' of a "\r\n" still on its way.
					channel.pipeline()
						.addLast(new LineBasedFrameDecoder(tcp.maxLineBytes() + 1, true, false),
								new LineHandler(TcpGateway.this.chat, TcpGateway.this.clock, tcp.maxLineBytes(),
										limits.bufferSizeLimit().toBytes(), limits.sendTimeLimit(),
										TcpGateway.this.addressLimiter));
				}

			});
		ChannelFuture bound = bootstrap.bind(tcp.bindAddress(), tcp.port()).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
			throw new IllegalStateException("The TCP gateway cannot listen on " + tcp.bindAddress() + ":" + tcp.port()
					+ " (chat.tcp.bind-address, chat.tcp.port): " + bound.cause().getMessage(), bound.cause());
		}
		this.listener = bound.channel();
		this.group = group;
		this.port = ((InetSocketAddress) this.listener.localAddress()).getPort();
		logger.info("Line-protocol TCP gateway listening on {}:{} ({})", tcp.bindAddress(), this.port,
				epoll ? "epoll" : "NIO");
	}

	/** Stops after the chat's own shutdown has kicked everyone, line users included. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1;
	}

	@Override
	public void stop() {
		Channel listener = this.listener;
		EventLoopGroup group = this.group;
		if (listener == null || group == null) {
			return;
		}
		listener.close().awaitUninterruptibly();
		for (Channel channel : this.channels) {
			LineHandler handler = channel.pipeline().get(LineHandler.class);
			ChatSession session = (handler != null) ? handler.session() : null;
			if (session != null) {
				this.chat.kick(session, LeaveReason.SHUTDOWN, SHUTDOWN_MESSAGE, null);
			}
		}
		// Each kick closes its channel after its last line; wait a little for that, then close the rest.
		this.channels.newCloseFuture().awaitUninterruptibly(SHUTDOWN_WAIT.toMillis());
		this.channels.close().awaitUninterruptibly(SHUTDOWN_WAIT.toMillis());
		group.shutdownGracefully(0, SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)
			.awaitUninterruptibly();
		this.listener = null;
		this.group = null;
		this.port = -1;
	}

	@Override
	public boolean isRunning() {
		return this.listener != null;
	}

}
