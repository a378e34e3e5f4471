package io.imsystem.support;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

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

	/** The sessions this node holds, ending ones included ({@code online} of {@code /actuator/chat}). */
	public int sessions() {
		Http.Response response = this.http.get("/actuator/chat");
		assertThat(response.status()).as("GET /actuator/chat").isEqualTo(200);
		return response.json().path("online").asInt();
	}

}
