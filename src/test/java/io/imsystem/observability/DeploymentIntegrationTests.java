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
 * app, Prometheus and Grafana together (and, in its cluster profile, Redis, two nodes and nginx),
 * and every metric the dashboard queries is one a started node really exports. nginx and Prometheus
 * themselves run in {@link NginxClusterIntegrationTests} and {@link PrometheusDashboardIntegrationTests}.
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
		assertThat(gatewayPorts(app)).containsExactly("127.0.0.1:8888:8888");

		// The cluster profile's nodes: the same admin password, required; each gateway on loopback.
		for (String name : List.of("node-a", "node-b")) {
			Map<String, Object> node = (Map<String, Object>) services.get(name);
			assertThat(String.valueOf(((Map<String, Object>) node.get("environment")).get("CHAT_ADMIN_PASSWORD")))
				.as(name).startsWith("${CHAT_ADMIN_PASSWORD:?");
			assertThat(gatewayPorts(node)).as(name).singleElement().asString().startsWith("127.0.0.1:");
		}
		for (Map.Entry<String, Object> service : services.entrySet()) {
			Object ports = ((Map<String, Object>) service.getValue()).get("ports");
			List<String> published = (ports != null) ? ((List<Object>) ports).stream().map(String::valueOf).toList() : List.of();
			assertThat(published).as("%s: the gateway port is published on loopback only", service.getKey())
				.filteredOn((port) -> port.endsWith(":8888"))
				.allMatch((port) -> port.startsWith("127.0.0.1:"));
		}
		assertThat(((Map<String, Object>) services.get("redis")).get("ports")).as("Redis is not published").isNull();
	}

	/**
	 * {@code docker compose --profile cluster up}: Redis, two nodes in redis mode with their own
	 * node ids on that Redis, nginx in front of both with the project's config, and Prometheus
	 * scraping both; the plain {@code docker compose up} still runs the single node only.
	 */
	@Test
	@SuppressWarnings("unchecked")
	void composeClusterProfileRunsRedisTwoNodesAndNginxInFront() throws IOException {
		Map<String, Object> services = (Map<String, Object>) yaml(Path.of("docker-compose.yml")).get("services");
		for (String name : List.of("redis", "node-a", "node-b", "nginx")) {
			assertThat(services).containsKey(name);
			assertThat(((Map<String, Object>) services.get(name)).get("profiles")).as(name).isEqualTo(List.of("cluster"));
		}
		for (String name : List.of("app", "prometheus", "grafana")) {
			assertThat(((Map<String, Object>) services.get(name)).get("profiles")).as(name).isNull();
		}

		Set<String> nodeIds = new TreeSet<>();
		for (String name : List.of("node-a", "node-b")) {
			Map<String, Object> environment = (Map<String, Object>) ((Map<String, Object>) services.get(name)).get("environment");
			assertThat(environment).as(name)
				.containsEntry("CHAT_CLUSTER_MODE", "redis")
				.containsEntry("SPRING_DATA_REDIS_HOST", "redis")
				.containsEntry("SERVER_FORWARD_HEADERS_STRATEGY", "native")
				.containsEntry("CHAT_TCP_BIND_ADDRESS", "0.0.0.0");
			nodeIds.add(String.valueOf(environment.get("CHAT_CLUSTER_NODE_ID")));
			assertThat(String.valueOf(((Map<String, Object>) services.get(name)).get("depends_on"))).contains("redis");
		}
		assertThat(nodeIds).containsExactly("node-a", "node-b");

		Map<String, Object> nginx = (Map<String, Object>) services.get("nginx");
		assertThat((List<Object>) nginx.get("volumes")).map(String::valueOf)
			.containsExactly("./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro");
		String config = Files.readString(Path.of("deploy/nginx/nginx.conf"));
		assertThat(config).contains("server node-a:8080;", "server node-b:8080;", "listen 8080;",
				"proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
				"proxy_set_header X-Forwarded-For $remote_addr;");
		assertThat((List<Object>) nginx.get("ports")).map(String::valueOf).containsExactly("8090:8080");

		Map<String, Object> prometheus = yaml(Path.of("deploy/prometheus/prometheus.yml"));
		assertThat(String.valueOf(prometheus.get("scrape_configs"))).contains("node-a:8080", "node-b:8080");
	}

	@SuppressWarnings("unchecked")
	private static List<String> gatewayPorts(Map<String, Object> service) {
		return ((List<Object>) service.get("ports")).stream()
			.map(String::valueOf)
			.filter((port) -> port.endsWith(":8888"))
			.toList();
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
