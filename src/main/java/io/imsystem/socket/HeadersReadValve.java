package io.imsystem.socket;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Tells the {@link RequestHeaderDeadline} that a request's headers arrived: the first thing Tomcat
 * runs for a parsed request, before any filter. The connection is named by its peer's address
 * (not a forwarded client address) and port, as it was counted when accepted.
 */
final class HeadersReadValve extends ValveBase {

	private final RequestHeaderDeadline deadline;

	HeadersReadValve(RequestHeaderDeadline deadline) {
		super(true);
		this.deadline = deadline;
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		this.deadline.headersRead(request.getPeerAddr(), request.getRemotePort());
		getNext().invoke(request, response);
	}

}
