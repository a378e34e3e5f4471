package io.imsystem.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's HTTP/1.1 NIO connector, with every accepted connection shown to a
 * {@link RequestHeaderDeadline} before Tomcat takes it: the one place that sees a connection before
 * it sends a byte. {@code NioEndpoint.setSocketOptions} is Tomcat's documented extension point for
 * that (protected, called by the acceptor for each socket); Tomcat creates connectors from a class
 * name, hence a public class with a public no-argument constructor, and the deadline is handed in
 * by a protocol handler customizer before the connector starts. Without one it is plain Tomcat.
 */
public class HeaderDeadlineProtocol extends Http11NioProtocol {

	public HeaderDeadlineProtocol() {
		super(new Endpoint());
	}

	void deadline(RequestHeaderDeadline deadline) {
		((Endpoint) getEndpoint()).deadline = deadline;
	}

	/** The NIO endpoint that counts each accepted connection from its address. */
	public static class Endpoint extends NioEndpoint {

		private volatile RequestHeaderDeadline deadline;

		@Override
		protected boolean setSocketOptions(SocketChannel socket) {
			RequestHeaderDeadline deadline = this.deadline;
			InetSocketAddress remote = (deadline != null) ? remoteAddress(socket) : null;
			if (remote == null) {
				return super.setSocketOptions(socket);
			}
			RequestHeaderDeadline.Tracked tracked = deadline.accept(remote.getAddress().getHostAddress(),
					remote.getPort());
			if (tracked == null) {
				// Over the address's half-open limit: closed before Tomcat allocates anything for it.
				destroySocket(socket);
				return true;
			}
			boolean handedOver = super.setSocketOptions(socket);
			SocketWrapperBase<NioChannel> wrapper = handedOver ? this.connections.get(socket) : null;
			deadline.attach(tracked, wrapper, this);
			return handedOver;
		}

		private static InetSocketAddress remoteAddress(SocketChannel socket) {
			try {
				SocketAddress address = socket.getRemoteAddress();
				// A Unix domain socket has no address to count.
				return (address instanceof InetSocketAddress inet && inet.getAddress() != null) ? inet : null;
			}
			catch (IOException ex) {
				return null;
			}
		}

	}

}
