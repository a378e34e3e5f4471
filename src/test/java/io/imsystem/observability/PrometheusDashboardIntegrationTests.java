package io.imsystem.observability;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.imsystem.ImSystemApplication;
import io.imsystem.cluster.TestNode;
import io.imsystem.cluster.TestRedis;
import io.imsystem.support.FreePort;
import io.imsystem.support.TempFiles;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The monitoring stack run for real: Debian's Prometheus with the project's own
 * {@code deploy/prometheus/prometheus.yml} (its targets pointed at nodes started here: the single
 * node of the plain stack, in local mode, and the cluster profile's two nodes, in redis mode)
 * scrapes them, and every query of the Grafana dashboard, evaluated through Prometheus's HTTP API,
 * parses and returns a series: no panel of the dashboard stays empty for a wrong name or a typo.
 * Skipped only when Prometheus is absent and {@code CI} is unset ({@code .ci/run} installs it).
 */
class PrometheusDashboardIntegrationTests {

	private static final Path CONFIG = Path.of("deploy/prometheus/prometheus.yml");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static TestRedis redis;

	private static ConfigurableApplicationContext single;

	private static TestNode a;

	private static TestNode b;

	private static Path directory;

	private static Process prometheus;

	private static int port;

	@BeforeAll
	static void startNodesAndPrometheus() throws IOException {
		String binary = prometheusBinary();
		TestRedis.requireShared();
		String prefix = TestRedis.prefix(PrometheusDashboardIntegrationTests.class);
		redis = TestRedis.sharing(TestRedis.SHARED_PORT, prefix);
		single = new SpringApplicationBuilder(ImSystemApplication.class)
			.properties("server.port=0", "chat.tcp.enabled=false")
			.run();
		a = TestNode.start("prometheus-a", TestRedis.SHARED_PORT, prefix);
		b = TestNode.start("prometheus-b", TestRedis.SHARED_PORT, prefix);

		directory = Files.createTempDirectory("im-system-prometheus");
		port = FreePort.find();
		Path config = directory.resolve("prometheus.yml");
		String singlePort = single.getEnvironment().getRequiredProperty("local.server.port");
		String text = replaceOnce(Files.readString(CONFIG), "- app:8080", "- 127.0.0.1:" + singlePort);
		text = replaceOnce(text, "- node-a:8080", "- 127.0.0.1:" + a.port());
		text = replaceOnce(text, "- node-b:8080", "- 127.0.0.1:" + b.port());
		Files.writeString(config, text);
		prometheus = new ProcessBuilder(binary, "--config.file=" + config,
				"--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("prometheus.log").toFile())
			.start();
		// It takes a moment to listen: the tests' first query came before it did (connection refused).
		await().atMost(Duration.ofSeconds(30)).until(PrometheusDashboardIntegrationTests::ready);
	}

	private static boolean ready() {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
			.timeout(Duration.ofSeconds(5))
			.build();
		try {
			return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	@AfterAll
	static void stopPrometheusAndNodes() throws Exception {
		try {
			if (prometheus != null) {
				prometheus.destroy();
				if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
					prometheus.destroyForcibly();
				}
			}
		}
		finally {
			try {
				if (a != null) {
					a.close();
				}
				if (b != null) {
					b.close();
				}
				if (single != null) {
					single.close();
				}
			}
			finally {
				if (redis != null) {
					redis.close();
				}
				TempFiles.deleteQuietly(directory);
			}
		}
	}

	/** Prometheus reaches all three nodes at the path the config names. */
	@Test
	void prometheusScrapesEveryNodeOfTheConfig() {
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode result = query("up").path("data").path("result");
			assertThat(result).as("up: %s", result).hasSize(3);
			for (JsonNode series : result) {
				assertThat(series.path("value").get(1).asString()).as("up of %s", series.path("metric")).isEqualTo("1");
			}
		});
	}

	@Test
	void everyQueryOfTheDashboardParsesAndReturnsASeries() throws IOException {
		List<GrafanaDashboard.Query> queries = GrafanaDashboard.queries();
		assertThat(queries).isNotEmpty();
		for (GrafanaDashboard.Query query : queries) {
			JsonNode answer = query(query.expr());
			assertThat(answer.path("status").asString()).as("%s (%s): %s", query.expr(), query.panel(), answer)
				.isEqualTo("success");
		}
		// A rate needs two scrapes in its window: the series come a scrape interval or two after
		// the first scrape.
		for (GrafanaDashboard.Query query : queries) {
			await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
				JsonNode answer = query(query.expr());
				assertThat(answer.path("data").path("result")).as("%s (%s): %s", query.expr(), query.panel(), answer)
					.isNotEmpty();
			});
		}
	}

	private static JsonNode query(String expr) {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
					+ URLEncoder.encode(expr, StandardCharsets.UTF_8)))
			.timeout(Duration.ofSeconds(5))
			.build();
		try {
			return JsonMapper.builder().build().readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
		}
		catch (IOException ex) {
			throw new AssertionError("Prometheus does not answer: " + log(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static String replaceOnce(String text, String from, String to) {
		assertThat(text.split(Pattern.quote(from), -1)).as("%s once in %s", from, CONFIG).hasSize(2);
		return text.replace(from, to);
	}

	private static String prometheusBinary() {
		for (String candidate : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		if (System.getenv("CI") != null) {
			throw new IllegalStateException("prometheus is not installed (.ci/run installs it)");
		}
		Assumptions.abort("prometheus is not installed and CI is unset");
		return null;
	}

	private static String log() {
		try {
			return Files.readString(directory.resolve("prometheus.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

}
