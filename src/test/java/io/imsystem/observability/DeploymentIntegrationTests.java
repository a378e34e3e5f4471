package io.imsystem.observability;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.imsystem.cluster.TestNode;
import io.imsystem.cluster.TestRedis;
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

	/**
	 * Every query of the dashboard reads only metrics a node really exports: the panels above the
	 * cluster row against this node (local mode), the cluster row against a node in redis mode,
	 * where alone the cluster meters exist.
	 */
	@Test
	void everyMetricTheDashboardQueriesIsExportedByTheApp() throws IOException {
		List<GrafanaDashboard.Query> queries = GrafanaDashboard.queries();
		Set<String> local = GrafanaDashboard.metrics(queries.stream().filter((query) -> !query.inClusterRow()).toList());
		Set<String> cluster = GrafanaDashboard.metrics(queries.stream().filter(GrafanaDashboard.Query::inClusterRow).toList());
		assertThat(local).as("metrics the dashboard queries")
			.contains("chat_sessions_active", "chat_messages_total", "chat_kicks_total", "chat_sweep_seconds_sum",
					"chat_kick_lag_seconds_bucket");
		assertThat(cluster).as("metrics the cluster row queries")
			.contains("chat_sessions_active", "chat_cluster_link_up", "chat_cluster_lag_seconds_bucket",
					"chat_cluster_nodes_alive");

		assertThat(exported(this.port)).containsAll(local);

		TestRedis.requireShared();
		String prefix = TestRedis.prefix(DeploymentIntegrationTests.class);
		try (TestRedis redis = TestRedis.sharing(TestRedis.SHARED_PORT, prefix);
				TestNode node = TestNode.start("dashboard-a", TestRedis.SHARED_PORT, prefix)) {
			assertThat(exported(node.port())).containsAll(cluster);
		}
	}

	private static Set<String> exported(int port) {
		return Http.anonymous(port)
			.get("/actuator/prometheus")
			.body()
			.lines()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toSet());
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> yaml(Path path) throws IOException {
		try (Reader reader = Files.newBufferedReader(path)) {
			return (Map<String, Object>) new Yaml().load(reader);
		}
	}

}
