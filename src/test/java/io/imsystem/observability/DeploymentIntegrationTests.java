package io.imsystem.observability;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker cannot run here, so the full stack is checked by reading it: the compose file wires the
 * app, Prometheus and Grafana together, and every metric the dashboard queries is one the started
 * app really exports.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeploymentIntegrationTests {

	private static final Pattern METRIC = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*(?=[{\\[)]|$)");

	private static final Set<String> PROMQL_WORDS = Set.of("sum", "rate", "increase", "histogram_quantile", "max", "avg",
			"irate", "min", "count");

	@LocalServerPort
	int port;

	@Test
	@SuppressWarnings("unchecked")
	void composeRunsTheAppPrometheusAndGrafana() throws IOException {
		Map<String, Object> compose = yaml(Path.of("docker-compose.yml"));
		Map<String, Object> services = (Map<String, Object>) compose.get("services");
		assertThat(services).containsKeys("app", "prometheus", "grafana");
		assertThat(Path.of("Dockerfile")).exists();
		assertThat(String.valueOf(services.get("app"))).contains("8080:8080");
		for (Object volume : (List<Object>) ((Map<String, Object>) services.get("prometheus")).get("volumes")) {
			assertThat(Path.of(volume.toString().split(":")[0])).exists();
		}
		for (Object volume : (List<Object>) ((Map<String, Object>) services.get("grafana")).get("volumes")) {
			assertThat(Path.of(volume.toString().split(":")[0])).exists();
		}
	}

	/**
	 * No stack runs with a password anyone could guess: without its password in the environment,
	 * compose refuses to start. The line-protocol gateway, which shows line users' addresses to each
	 * other, is published on the host's loopback only.
	 */
	@Test
	@SuppressWarnings("unchecked")
	void composeRequiresEveryPasswordAndKeepsTheGatewayOnLoopback() throws IOException {
		String text = Files.readString(Path.of("docker-compose.yml"));
		Matcher password = Pattern.compile("\\$\\{(\\w*PASSWORD\\w*)([^}]*)}").matcher(text);
		Set<String> required = new TreeSet<>();
		while (password.find()) {
			assertThat(password.group(2)).as("${%s...}: a password has no default", password.group(1)).startsWith(":?");
			required.add(password.group(1));
		}
		assertThat(required).containsExactly("CHAT_ADMIN_PASSWORD", "GRAFANA_ADMIN_PASSWORD");

		Map<String, Object> services = (Map<String, Object>) yaml(Path.of("docker-compose.yml")).get("services");
		Map<String, Object> app = (Map<String, Object>) services.get("app");
		assertThat(String.valueOf(((Map<String, Object>) app.get("environment")).get("CHAT_ADMIN_PASSWORD")))
			.startsWith("${CHAT_ADMIN_PASSWORD:?");
		Map<String, Object> grafana = (Map<String, Object>) services.get("grafana");
		assertThat(String.valueOf(((Map<String, Object>) grafana.get("environment")).get("GF_SECURITY_ADMIN_PASSWORD")))
			.startsWith("${GRAFANA_ADMIN_PASSWORD:?");
		List<String> gatewayPorts = ((List<Object>) app.get("ports")).stream()
			.map(String::valueOf)
			.filter((port) -> port.endsWith(":8888"))
			.toList();
		assertThat(gatewayPorts).containsExactly("127.0.0.1:8888:8888");
	}

	@Test
	@SuppressWarnings("unchecked")
	void prometheusScrapesTheAppAndGrafanaReadsPrometheus() throws IOException {
		Map<String, Object> prometheus = yaml(Path.of("deploy/prometheus/prometheus.yml"));
		Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
		assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
		assertThat(String.valueOf(job.get("static_configs"))).contains("app:8080");
		assertThat(Http.anonymous(this.port).get("/actuator/prometheus").status()).isEqualTo(200);

		Map<String, Object> datasources = yaml(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml"));
		Map<String, Object> datasource = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
		assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
		Map<String, Object> providers = yaml(Path.of("deploy/grafana/provisioning/dashboards/im-system.yml"));
		assertThat(String.valueOf(providers)).contains("/var/lib/grafana/dashboards");
	}

	@Test
	void everyMetricTheDashboardQueriesIsExportedByTheApp() throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Path.of("deploy/grafana/dashboards/im-system.json").toFile());
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				expressions.add(target.path("expr").asString());
			}
		}
		Set<String> queried = new TreeSet<>();
		for (String expression : expressions) {
			String bare = expression.replaceAll("\\b(by|without)\\s*\\([^)]*\\)", "")
				.replaceAll("\\[[^]]*]", "[]")
				.replaceAll("\\{[^}]*}", "{}");
			Matcher matcher = METRIC.matcher(bare);
			while (matcher.find()) {
				if (!PROMQL_WORDS.contains(matcher.group(1))) {
					queried.add(matcher.group(1));
				}
			}
		}
		assertThat(queried).as("metrics the dashboard queries")
			.contains("chat_sessions_active", "chat_messages_total", "chat_kicks_total", "chat_sweep_seconds_sum",
					"chat_kick_lag_seconds_bucket");

		Set<String> exported = Http.anonymous(this.port)
			.get("/actuator/prometheus")
			.body()
			.lines()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toSet());
		assertThat(exported).containsAll(queried);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> yaml(Path path) throws IOException {
		try (Reader reader = Files.newBufferedReader(path)) {
			return (Map<String, Object>) new Yaml().load(reader);
		}
	}

}
