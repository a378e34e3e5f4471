package io.imsystem.observability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The queries of the provisioned Grafana dashboard ({@code deploy/grafana/dashboards/im-system.json}),
 * each with the title of the row it sits in, and the metric names a query reads.
 */
final class GrafanaDashboard {

	static final Path FILE = Path.of("deploy/grafana/dashboards/im-system.json");

	/** The row of the cluster panels: their meters exist only on a node in redis mode. */
	static final String CLUSTER_ROW = "Cluster (chat.cluster.mode=redis)";

	private static final Pattern METRIC = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*(?=[{\\[)]|$)");

	private static final Set<String> PROMQL_WORDS = Set.of("sum", "rate", "increase", "histogram_quantile", "max", "avg",
			"irate", "min", "count");

	private GrafanaDashboard() {
	}

	/** A query of a panel; {@code row} is empty for the panels above the first row. */
	record Query(String row, String panel, String expr) {

		/** The metric names (series names as exported) this query reads. */
		Set<String> metrics() {
			String bare = this.expr.replaceAll("\\b(by|without)\\s*\\([^)]*\\)", "")
				.replaceAll("\\[[^]]*]", "[]")
				.replaceAll("\\{[^}]*}", "{}");
			Set<String> metrics = new TreeSet<>();
			Matcher matcher = METRIC.matcher(bare);
			while (matcher.find()) {
				if (!PROMQL_WORDS.contains(matcher.group(1))) {
					metrics.add(matcher.group(1));
				}
			}
			return metrics;
		}

		boolean inClusterRow() {
			return this.row.equals(CLUSTER_ROW);
		}

	}

	static List<Query> queries() throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(FILE.toFile());
		List<Query> queries = new ArrayList<>();
		String row = "";
		for (JsonNode panel : dashboard.path("panels")) {
			if (panel.path("type").asString().equals("row")) {
				row = panel.path("title").asString();
				// A collapsed row holds its panels itself.
				for (JsonNode inner : panel.path("panels")) {
					add(queries, row, inner);
				}
			}
			else {
				add(queries, row, panel);
			}
		}
		return queries;
	}

	private static void add(List<Query> queries, String row, JsonNode panel) {
		for (JsonNode target : panel.path("targets")) {
			queries.add(new Query(row, panel.path("title").asString(), target.path("expr").asString()));
		}
	}

	static Set<String> metrics(List<Query> queries) {
		Set<String> metrics = new TreeSet<>();
		queries.forEach((query) -> metrics.addAll(query.metrics()));
		return metrics;
	}

}
