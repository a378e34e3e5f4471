package io.imsystem.observability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.imsystem.cluster.TestNode;
import io.imsystem.cluster.TestRedis;
import io.imsystem.support.ChatClient;
import io.imsystem.support.FreePort;
import io.imsystem.support.Http;
import io.imsystem.support.TempFiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster profile's front door, run for real: Debian's nginx with the project's own
 * {@code deploy/nginx/nginx.conf} (only its upstream ports, listen port, pid and temp paths
 * changed to fit this machine) in front of two nodes in redis mode, and users who chat through it.
 * Skipped only when nginx is absent and {@code CI} is unset ({@code .ci/run} installs it).
 */
class NginxClusterIntegrationTests {

	private static final Path CONFIG = Path.of("deploy/nginx/nginx.conf");

	private static String prefix;

	private static TestRedis redis;

	private static TestNode a;

	private static TestNode b;

	private static Path directory;

	private static Process nginx;

	private static int port;

	private final List<ChatClient> clients = new ArrayList<>();

	private final Map<String, ChatClient> byName = new HashMap<>();

	@BeforeAll
	static void startNodesAndNginx() throws IOException {
		String binary = nginxBinary();
		TestRedis.requireShared();
		prefix = TestRedis.prefix(NginxClusterIntegrationTests.class);
		redis = TestRedis.sharing(TestRedis.SHARED_PORT, prefix);
		// As in docker-compose.yml: the nodes take the client's address from nginx.
		a = TestNode.start("nginx-a", TestRedis.SHARED_PORT, prefix, "server.forward-headers-strategy=native");
		b = TestNode.start("nginx-b", TestRedis.SHARED_PORT, prefix, "server.forward-headers-strategy=native");

		directory = Files.createTempDirectory("im-system-nginx");
		// nginx's workers run as nobody when the master is root: they must reach the temp paths.
		Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
		port = FreePort.find();
		Path config = directory.resolve("nginx.conf");
		Files.writeString(config, fitted(Files.readString(CONFIG)));
		nginx = new ProcessBuilder(binary, "-p", directory.toString(), "-c", config.toString(), "-e", "stderr", "-g",
				"daemon off; pid " + directory.resolve("nginx.pid") + ";")
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("nginx.log").toFile())
			.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			assertThat(nginx.isAlive()).as("nginx is running: %s", log()).isTrue();
			return accepts(port);
		});
	}

	@AfterAll
	static void stopNginxAndNodes() throws Exception {
		try {
			if (nginx != null) {
				List<ProcessHandle> workers = nginx.descendants().toList();
				nginx.destroy();
				if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
					nginx.destroyForcibly();
				}
				workers.forEach(ProcessHandle::destroyForcibly);
			}
		}
		finally {
			try {
				closeQuietly(a);
				closeQuietly(b);
			}
			finally {
				if (redis != null) {
					redis.close();
				}
				TempFiles.deleteQuietly(directory);
			}
		}
	}

	/**
	 * Two users who reached different nodes through the one public port see each other's chat
	 * exactly once (the sender its echo once): nginx passed their WebSocket upgrades through, and
	 * the nodes share the room through Redis.
	 */
	@Test
	void usersOnBothNodesBehindNginxSeeEachOthersChatExactlyOnce() {
		Map<String, String> names = usersOnEveryNode();
		ChatClient onA = this.byName.get(names.get(a.id()));
		ChatClient onB = this.byName.get(names.get(b.id()));

		onA.send("hello from a");
		List<JsonNode> atA = new ArrayList<>(onA.untilChats("hello from a"));
		onB.send("hello from b");
		List<JsonNode> atB = new ArrayList<>(onB.untilChats("hello from a", "hello from b"));
		// Sent once both chats were echoed: a second copy of either would come before the fences.
		onA.send("fence a");
		onB.send("fence b");
		atA.addAll(onA.untilChats("hello from b", "fence a", "fence b"));
		atB.addAll(onB.untilChats("fence a", "fence b"));

		for (List<JsonNode> events : List.of(atA, atB)) {
			for (String text : List.of("hello from a", "hello from b", "fence a", "fence b")) {
				assertThat(chats(events, text)).as("%s in %s", text, events).hasSize(1);
			}
		}
		assertThat(chats(atB, "hello from a").get(0).path("from").asString()).isEqualTo(names.get(a.id()));
		assertThat(chats(atA, "hello from b").get(0).path("from").asString()).isEqualTo(names.get(b.id()));
	}

	/**
	 * nginx is the edge: it sends the nodes the address it saw, never one the client wrote, so no
	 * one behind it dodges the per-address limits by naming another address.
	 */
	@Test
	void aClientCannotChooseTheAddressTheNodesSee() {
		ChatClient client = ChatClient.connect(port, "forger", Map.of("X-Forwarded-For", "203.0.113.7"));
		this.clients.add(client);
		client.next("welcome");
		JsonNode user = await().atMost(Duration.ofSeconds(5)).until(() -> a.admin().user("forger"), (found) -> found != null);
		assertThat(user.path("remoteAddress").asString()).startsWith("127.0.0.1:").doesNotContain("203.0.113.7");
		assertThat(Http.anonymous(port).get("/actuator/health/readiness").status()).as("HTTP through nginx").isEqualTo(200);
		client.close();
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(ChatClient::closeQuietly);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.admin().onlineNames()).isEmpty());
	}

	/**
	 * Users connect through nginx until one landed on each node (nginx picks, round robin per
	 * worker); answers node id to the name of the first user there.
	 */
	private Map<String, String> usersOnEveryNode() {
		Map<String, String> names = new HashMap<>();
		for (int i = 0; i < 10 && names.size() < 2; i++) {
			String name = "user" + i;
			this.byName.put(name, join(name));
			String node = a.admin().user(name).path("node").asString();
			assertThat(node).isIn(a.id(), b.id());
			names.putIfAbsent(node, name);
		}
		assertThat(names).as("users through nginx reached both nodes").containsKeys(a.id(), b.id());
		return names;
	}

	private ChatClient join(String name) {
		ChatClient client = ChatClient.join(port, name);
		this.clients.add(client);
		return client;
	}

	/**
	 * The project's config with only what must differ on this machine: the nodes' ports, a free
	 * loopback port to listen on, and temp paths of this test (pid and the error log go on the
	 * command line).
	 */
	static String fitted(String config) {
		String fitted = replaceOnce(config, "server node-a:8080;", "server 127.0.0.1:" + a.port() + ";");
		fitted = replaceOnce(fitted, "server node-b:8080;", "server 127.0.0.1:" + b.port() + ";");
		fitted = replaceOnce(fitted, "listen 8080;", "listen 127.0.0.1:" + port + ";");
		StringBuilder temp = new StringBuilder("http {\n");
		for (String kind : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
			temp.append('\t').append(kind).append("_temp_path ").append(directory.resolve(kind)).append(";\n");
		}
		return replaceOnce(fitted, "http {\n", temp.toString());
	}

	private static String replaceOnce(String text, String from, String to) {
		assertThat(text.split(Pattern.quote(from), -1)).as("%s once in %s", from, CONFIG).hasSize(2);
		return text.replace(from, to);
	}

	private static String nginxBinary() {
		for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		if (System.getenv("CI") != null) {
			throw new IllegalStateException("nginx is not installed (.ci/run installs it)");
		}
		Assumptions.abort("nginx is not installed and CI is unset");
		return null;
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String log() {
		try {
			return Files.readString(directory.resolve("nginx.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private static void closeQuietly(TestNode node) {
		if (node != null) {
			node.close();
		}
	}

	private static List<JsonNode> chats(List<JsonNode> events, String text) {
		return events.stream()
			.filter((event) -> event.path("type").asString().equals("chat") && event.path("text").asString().equals(text))
			.toList();
	}

}
