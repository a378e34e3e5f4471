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

	/** The value of one series with tags, as written: {@code value(port, "x_total", "direction=\"dropped\"")}. */
	public static double value(int port, String series, String tags) {
		return value(port, series + "{" + tags + "}");
	}

	/**
	 * The JVM heap in use now, all pools together ({@code jvm.memory.used}, area {@code heap}), in
	 * bytes: what an operator's dashboard plots.
	 */
	public static double heapUsed(int port) {
		return sum(port, "jvm_memory_used_bytes");
	}

	/** The largest heap the JVM may use ({@code -Xmx}): the sum of the heap pools' maxima that are set. */
	public static double heapMax(int port) {
		return sum(port, "jvm_memory_max_bytes");
	}

	private static double sum(int port, String series) {
		return scrape(port).lines()
			.filter((line) -> line.startsWith(series + "{") && line.contains("area=\"heap\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim()))
			.filter((bytes) -> bytes > 0)
			.sum();
	}

	private static String scrape(int port) {
		Http.Response response = Http.anonymous(port).get("/actuator/prometheus");
		assertThat(response.status()).as("GET /actuator/prometheus").isEqualTo(200);
		return response.body();
	}

	/** The value of a series without tags. */
	public static double value(int port, String series) {
		return scrape(port).lines()
			.filter((line) -> line.startsWith(series + " "))
			.mapToDouble((line) -> Double.parseDouble(line.substring(series.length() + 1).trim()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no series " + series + " in /actuator/prometheus"));
	}

}
