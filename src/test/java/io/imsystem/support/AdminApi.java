package io.imsystem.support;

import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees of who is online, through the admin API and the actuator: integration
 * tests read it here instead of reaching into the server's beans.
 */
public final class AdminApi {

	private final Http http;

	private AdminApi(Http http) {
		this.http = http;
	}

	/** The admin API of the app on {@code port}, as the default administrator ({@code admin}). */
	public static AdminApi of(int port, String password) {
		return of(port, "admin", password);
	}

	public static AdminApi of(int port, String username, String password) {
		return new AdminApi(Http.basic(port, username, password));
	}

	/** The names of the users online ({@code GET /api/admin/users}). */
	public List<String> onlineNames() {
		Http.Response response = this.http.get("/api/admin/users");
		assertThat(response.status()).as("GET /api/admin/users").isEqualTo(200);
		List<String> names = new ArrayList<>();
		for (JsonNode user : response.json()) {
			names.add(user.path("name").asString());
		}
		return names;
	}

	/**
	 * Gives a user a timeout of its own ({@code PUT /api/admin/users/{name}/timeout}).
	 * @return the status: 200, or 404 while no user of that name is online
	 */
	public int overrideTimeout(String name, long seconds) {
		return this.http.put("/api/admin/users/" + name + "/timeout", "{\"timeoutSeconds\":" + seconds + "}").status();
	}

	/**
	 * Takes a user's own timeout away ({@code DELETE /api/admin/users/{name}/timeout}).
	 * @return the status: 200, or 404 while no user of that name is online
	 */
	public int removeTimeout(String name) {
		return this.http.delete("/api/admin/users/" + name + "/timeout").status();
	}

	/** The kick history, newest first ({@code GET /api/admin/kicks}, at most 1000). */
	public List<JsonNode> kicks() {
		Http.Response response = this.http.get("/api/admin/kicks?limit=1000");
		assertThat(response.status()).as("GET /api/admin/kicks").isEqualTo(200);
		List<JsonNode> kicks = new ArrayList<>();
		response.json().forEach(kicks::add);
		return kicks;
	}

	/**
	 * The newest kick of a user by the name it had, once it is in the kick history (the kick
	 * reaches the client a moment before the record is written).
	 */
	public JsonNode awaitKick(String name) {
		return awaitKick((kick) -> kick.path("name").asString().equals(name), "a kick of " + name);
	}

	/** The newest kick of the connection from a {@code host:port} address, once it is recorded. */
	public JsonNode awaitKickOfAddress(String remoteAddress) {
		return awaitKick((kick) -> kick.path("remoteAddress").asString().equals(remoteAddress),
				"a kick of " + remoteAddress);
	}

	private JsonNode awaitKick(Predicate<JsonNode> wanted, String what) {
		AtomicReference<JsonNode> found = new AtomicReference<>();
		await().atMost(ChatClient.TIMEOUT).untilAsserted(() -> {
			found.set(kicks().stream().filter(wanted).findFirst().orElse(null));
			assertThat(found.get()).as(what).isNotNull();
		});
		return found.get();
	}

	/** An instant in the admin API's JSON, in epoch milliseconds. */
	public static long epochMillis(JsonNode instant) {
		return instant.isNumber() ? instant.asLong() : Instant.parse(instant.asString()).toEpochMilli();
	}

	/** The users online ({@code GET /api/admin/users}), each with its address, idle state and timeout. */
	public List<JsonNode> users() {
		Http.Response response = this.http.get("/api/admin/users");
		assertThat(response.status()).as("GET /api/admin/users").isEqualTo(200);
		List<JsonNode> users = new ArrayList<>();
		response.json().forEach(users::add);
		return users;
	}

	/** A user online ({@code GET /api/admin/users}), or {@code null} when none has that name. */
	public JsonNode user(String name) {
		return users().stream().filter((user) -> user.path("name").asString().equalsIgnoreCase(name)).findFirst().orElse(null);
	}

	/** The global idle settings ({@code GET /api/admin/timeout}). */
	public JsonNode timeout() {
		Http.Response response = this.http.get("/api/admin/timeout");
		assertThat(response.status()).as("GET /api/admin/timeout").isEqualTo(200);
		return response.json();
	}

	/** Changes the global idle timeout and warning ({@code PUT /api/admin/timeout}). */
	public void changeTimeout(long timeoutSeconds, long warningSeconds) {
		Http.Response response = this.http.put("/api/admin/timeout",
				"{\"timeoutSeconds\":" + timeoutSeconds + ",\"warningSeconds\":" + warningSeconds + "}");
		assertThat(response.status()).as("PUT /api/admin/timeout: %s", response.body()).isEqualTo(200);
	}

	/**
	 * Puts the global idle settings back as a test found them, unless they still are: the next
	 * test starts from them, and the audit gets no entry for a change that changes nothing.
	 */
	public void restoreTimeout(long timeoutSeconds, long warningSeconds) {
		JsonNode now = timeout();
		if (now.path("timeoutSeconds").asLong() != timeoutSeconds || now.path("warningSeconds").asLong() != warningSeconds) {
			changeTimeout(timeoutSeconds, warningSeconds);
		}
	}

	/** The sessions this node holds, ending ones included ({@code online} of {@code /actuator/chat}). */
	public int sessions() {
		Http.Response response = this.http.get("/actuator/chat");
		assertThat(response.status()).as("GET /actuator/chat").isEqualTo(200);
		return response.json().path("online").asInt();
	}

}
