package io.imsystem.admin;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/**
 * RFC 9457 problem details written by the security filters, which answer before Spring MVC (and
 * its problem details) is reached, so that every error of the service has the same shape.
 */
final class ProblemResponses {

	static final String CONTENT_TYPE = "application/problem+json";

	private ProblemResponses() {
	}

	/** Writes a problem; {@code title} and {@code detail} are the server's own text, never input. */
	static void write(HttpServletResponse response, int status, String title, String detail) throws IOException {
		response.setStatus(status);
		response.setContentType(CONTENT_TYPE);
		response.setCharacterEncoding("UTF-8");
		response.getWriter()
			.write("{\"type\":\"about:blank\",\"title\":" + quote(title) + ",\"status\":" + status + ",\"detail\":"
					+ quote(detail) + "}");
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				quoted.append('\\').append(c);
			}
			else if (c < 0x20) {
				quoted.append(String.format("\\u%04x", (int) c));
			}
			else {
				quoted.append(c);
			}
		}
		return quoted.append('"').toString();
	}

}
