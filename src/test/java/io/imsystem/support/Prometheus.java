package io.imsystem.support;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator's Prometheus scrapes from {@code /actuator/prometheus} (open without a login):
 * integration tests read how many sessions and connections the node holds here instead of reaching
 * into its beans.
 */
public final class Prometheus {

	private Prometheus() {
	}

	/** The sessions the node holds, still joining and ending ones included ({@code chat.sessions.active}). */
	public static int sessionsActive(int port) {
		return (int) value(port, "chat_sessions_active");
	}

	/** The line-protocol connections the node holds open, joined or not ({@code chat.tcp.connections}). */
	public static int lineConnections(int port) {
		return (int) value(port, "chat_tcp_connections");
	}

	/** The value of a series without tags. */
	public static double value(int port, String series) {
		Http.Response response = Http.anonymous(port).get("/actuator/prometheus");
		assertThat(response.status()).as("GET /actuator/prometheus").isEqualTo(200);
		return response.body()
			.lines()
			.filter((line) -> line.startsWith(series + " "))
			.mapToDouble((line) -> Double.parseDouble(line.substring(series.length() + 1).trim()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no series " + series + " in /actuator/prometheus"));
	}

}
