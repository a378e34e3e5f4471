package io.imsystem.admin;

import java.time.Duration;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=test-secret", "chat.idle.sweep-interval=100ms",
				"chat.idle.warning-before=0s" })
class AdminIntegrationTests {

	@LocalServerPort
	int port;

	Http admin() {
		return Http.basic(this.port, "root", "test-secret");
	}

	@AfterEach
	void restoreGlobalTimeout() {
		AdminApi.of(this.port, "root", "test-secret").restoreTimeout(300, 0);
	}

	@Test
	void adminApiAndActuatorNeedTheAdministrator() {
		Http anonymous = Http.anonymous(this.port);
		Http wrong = Http.basic(this.port, "root", "wrong");
		for (String path : new String[] { "/api/admin/users", "/api/admin/timeout", "/api/admin/kicks", "/actuator/chat",
				"/actuator/kicks", "/actuator/metrics", "/admin" }) {
			for (Http.Response refused : new Http.Response[] { anonymous.get(path), wrong.get(path) }) {
				assertThat(refused.status()).as(path).isEqualTo(401);
				assertThat(refused.contentType()).as(path).startsWith("application/problem+json");
				assertThat(refused.json().path("status").asInt()).as(path).isEqualTo(401);
				assertThat(refused.json().path("detail").asString()).as("the same for both")
					.isEqualTo("the administrator's login is required");
			}
		}
		assertThat(admin().get("/api/admin/users").status()).isEqualTo(200);
		assertThat(admin().get("/actuator/chat").status()).isEqualTo(200);
	}

	@Test
	void healthAndPrometheusAreOpenAndHealthShowsNoDetailsAnonymously() {
		Http.Response health = Http.anonymous(this.port).get("/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().path("status").asString()).isEqualTo("UP");
		assertThat(health.json().has("components")).isFalse();
		assertThat(admin().get("/actuator/health").json().has("components")).isTrue();
		assertThat(Http.anonymous(this.port).get("/actuator/prometheus").status()).isEqualTo(200);
	}

	@Test
	void usersListsOnlineSessionsWithTheirIdleState() {
		try (ChatClient alice = ChatClient.join(this.port, "alice")) {
			JsonNode users = admin().get("/api/admin/users").json();
			JsonNode entry = find(users, "alice");
			assertThat(entry.path("remoteAddress").asString()).startsWith("127.0.0.1:");
			assertThat(entry.path("timeoutSeconds").asLong()).isEqualTo(300);
			assertThat(entry.path("override").asBoolean()).isFalse();
			assertThat(entry.path("idleSeconds").asLong()).isGreaterThanOrEqualTo(0);
			assertThat(entry.has("connectedAt")).isTrue();
			assertThat(entry.has("lastActivityAt")).isTrue();
		}
	}

	@Test
	void globalTimeoutChangeAppliesToLiveSessionsAndIsAudited() {
		try (ChatClient alice = ChatClient.join(this.port, "alice")) {
			Http.Response changed = admin().put("/api/admin/timeout", "{\"timeoutSeconds\":1}");
			assertThat(changed.status()).isEqualTo(200);
			assertThat(changed.json().path("timeoutSeconds").asLong()).isEqualTo(1);
			assertThat(admin().get("/api/admin/timeout").json().path("timeoutSeconds").asLong()).isEqualTo(1);

			JsonNode kicked = alice.nextOfType("kicked");
			assertThat(kicked.path("reason").asString()).isEqualTo("idle");
			assertThat(alice.awaitClose().code()).isEqualTo(4408);

			JsonNode audit = admin().get("/api/admin/audit").json();
			JsonNode latest = audit.get(0);
			assertThat(latest.path("actor").asString()).isEqualTo("root");
			assertThat(latest.path("action").asString()).isEqualTo("global-timeout");
			assertThat(latest.path("oldSeconds").asLong()).isEqualTo(300);
			assertThat(latest.path("newSeconds").asLong()).isEqualTo(1);
		}
	}

	@Test
	void invalidGlobalTimeoutsAreRefusedWithProblemDetails() {
		for (String body : new String[] { "{\"timeoutSeconds\":0}", "{\"timeoutSeconds\":-5}",
				"{\"timeoutSeconds\":\"abc\"}", "{\"timeoutSeconds\":1.5}", "{\"timeoutSeconds\":86401}", "{}",
				"not json", "{\"timeoutSeconds\":60,\"warningSeconds\":-1}" }) {
			Http.Response response = admin().put("/api/admin/timeout", body);
			assertThat(response.status()).as(body).isEqualTo(400);
			assertThat(response.contentType()).as(body).startsWith("application/problem+json");
		}
		assertThat(admin().get("/api/admin/timeout").json().path("timeoutSeconds").asLong()).isEqualTo(300);
	}

	@Test
	void perUserOverrideKicksOnlyThatUser() {
		try (ChatClient alice = ChatClient.join(this.port, "alice"); ChatClient bob = ChatClient.join(this.port, "bob")) {
			Http.Response set = admin().put("/api/admin/users/ALICE/timeout", "{\"timeoutSeconds\":1}");
			assertThat(set.status()).isEqualTo(200);
			assertThat(set.json().path("override").asBoolean()).isTrue();
			assertThat(set.json().path("timeoutSeconds").asLong()).isEqualTo(1);

			assertThat(alice.nextOfType("kicked").path("reason").asString()).isEqualTo("idle");
			assertThat(alice.awaitClose().code()).isEqualTo(4408);
			JsonNode leave = bob.nextOfType("presence");
			assertThat(leave.path("event").asString()).isEqualTo("leave");
			assertThat(leave.path("reason").asString()).isEqualTo("idle");
			assertThat(bob.isClosed()).isFalse();
			assertThat(find(admin().get("/api/admin/users").json(), "bob")).isNotNull();
		}
	}

	@Test
	void overrideCanBeRemovedAndUnknownUsersAre404() {
		try (ChatClient carol = ChatClient.join(this.port, "carol")) {
			admin().put("/api/admin/users/carol/timeout", "{\"timeoutSeconds\":120}");
			Http.Response removed = admin().delete("/api/admin/users/carol/timeout");
			assertThat(removed.status()).isEqualTo(200);
			assertThat(removed.json().path("override").asBoolean()).isFalse();
			assertThat(removed.json().path("timeoutSeconds").asLong()).isEqualTo(300);
		}
		assertThat(admin().put("/api/admin/users/nobody/timeout", "{\"timeoutSeconds\":10}").status()).isEqualTo(404);
		assertThat(admin().delete("/api/admin/users/nobody/timeout").status()).isEqualTo(404);
		Http.Response kick = admin().post("/api/admin/users/nobody/kick", null);
		assertThat(kick.status()).isEqualTo(404);
		assertThat(kick.contentType()).startsWith("application/problem+json");
	}

	@Test
	void adminKickEndToEnd() {
		double kicksBefore = kicksTotal("admin");
		try (ChatClient dave = ChatClient.join(this.port, "dave"); ChatClient erin = ChatClient.join(this.port, "erin")) {
			Http.Response response = admin().post("/api/admin/users/Dave/kick", "{\"message\":\"spamming\"}");
			assertThat(response.status()).isEqualTo(200);

			JsonNode kicked = dave.nextOfType("kicked");
			assertThat(kicked.path("reason").asString()).isEqualTo("admin");
			assertThat(kicked.path("message").asString()).isEqualTo("spamming");
			assertThat(dave.awaitClose().code()).isEqualTo(4403);

			JsonNode leave = erin.nextOfType("presence");
			assertThat(leave.path("event").asString()).isEqualTo("leave");
			assertThat(leave.path("name").asString()).isEqualTo("dave");
			assertThat(leave.path("reason").asString()).isEqualTo("admin");

			JsonNode kicks = admin().get("/api/admin/kicks?reason=admin&limit=1").json();
			assertThat(kicks.size()).isEqualTo(1);
			assertThat(kicks.get(0).path("name").asString()).isEqualTo("dave");
			assertThat(kicks.get(0).path("kickedBy").asString()).isEqualTo("root");
			assertThat(kicks.get(0).path("remoteAddress").asString()).startsWith("127.0.0.1:");

			JsonNode ofDave = admin().get("/actuator/kicks/DAVE").json().path("kicks");
			assertThat(ofDave.get(0).path("reason").asString()).isEqualTo("admin");

			JsonNode audited = admin().get("/api/admin/audit").json().get(0);
			assertThat(audited.path("action").asString()).isEqualTo("kick");
			assertThat(audited.path("target").asString()).isEqualTo("dave");
			assertThat(audited.path("actor").asString()).isEqualTo("root");
			assertThat(audited.path("node").asString()).isNotBlank();
		}
		assertThat(kicksTotal("admin")).isEqualTo(kicksBefore + 1);
	}

	@Test
	void aKickWithAFieldTheApiDoesNotTakeIsRefusedAndKicksNobody() {
		try (ChatClient ivan = ChatClient.join(this.port, "ivan")) {
			Http.Response response = admin().post("/api/admin/users/ivan/kick", "{\"reason\":\"x\"}");
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.contentType()).startsWith("application/problem+json");
			assertThat(response.json().path("detail").asString()).contains("reason", "message");
			ivan.send("{\"type\":\"who\"}");
			assertThat(ivan.nextOfType("users")).isNotNull();
			assertThat(ivan.isClosed()).isFalse();
		}
	}

	@Test
	void aGlobalWarningNotShorterThanTheTimeoutIsRefusedNamingBoth() {
		Http.Response response = admin().put("/api/admin/timeout", "{\"timeoutSeconds\":10,\"warningSeconds\":30}");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.contentType()).startsWith("application/problem+json");
		assertThat(response.json().path("detail").asString()).contains("30s", "10s");
		JsonNode settings = admin().get("/api/admin/timeout").json();
		assertThat(settings.path("timeoutSeconds").asLong()).isEqualTo(300);
		assertThat(settings.path("warningSeconds").asLong()).isEqualTo(0);
	}

	@Test
	void kickHistoryQueriesAreValidated() {
		assertThat(admin().get("/api/admin/kicks?limit=0").status()).isEqualTo(400);
		assertThat(admin().get("/api/admin/kicks?reason=quit").status()).isEqualTo(400);
		assertThat(admin().get("/api/admin/kicks?limit=abc").status()).isEqualTo(400);
	}

	@Test
	void idlePreviewListsWhoWouldGoWithoutKickingThem() {
		try (ChatClient frank = ChatClient.join(this.port, "frank")) {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> find(admin().get("/api/admin/idle-preview?timeoutSeconds=1").json(), "frank") != null);
			assertThat(find(admin().get("/api/admin/idle-preview?timeoutSeconds=3600").json(), "frank")).isNull();
			assertThat(admin().get("/api/admin/idle-preview?timeoutSeconds=0").status()).isEqualTo(400);
			frank.send("{\"type\":\"who\"}");
			assertThat(frank.nextOfType("users")).isNotNull();
			assertThat(frank.isClosed()).isFalse();
		}
	}

	@Test
	void crossSiteWritesFromBrowsersAreRefused() {
		try (ChatClient gina = ChatClient.join(this.port, "gina")) {
			Http.Response crossSite = admin().send("POST", "/api/admin/users/gina/kick", null, "Origin",
					"http://evil.example");
			assertThat(crossSite.status()).isEqualTo(403);
			Http.Response fetchSite = admin().send("PUT", "/api/admin/timeout", "{\"timeoutSeconds\":5}",
					"Sec-Fetch-Site", "cross-site");
			assertThat(fetchSite.status()).isEqualTo(403);
			assertThat(fetchSite.contentType()).startsWith("application/problem+json");
			assertThat(fetchSite.json().path("status").asInt()).isEqualTo(403);
			// Spring decodes the path before it matches it: the guard must not test the raw one.
			for (String path : new String[] { "/api/%61dmin/users/gina/kick", "/api/admin/users/gin%61/kick",
					"/api/%61dmin/timeout", "/API/admin/users/gina/kick" }) {
				Http.Response encoded = admin().send("POST", path, "{}", "Origin", "http://evil.example");
				assertThat(encoded.status()).as(path).isEqualTo(403);
				assertThat(encoded.contentType()).as(path).startsWith("application/problem+json");
				Http.Response sameSite = admin().send("POST", path, "{}", "Sec-Fetch-Site", "same-site");
				assertThat(sameSite.status()).as(path).isEqualTo(403);
			}
			// Paths the firewall refuses outright (400) are no way around the guard either.
			for (String path : new String[] { "//api/admin/users/gina/kick", "/api/./admin/users/gina/kick" }) {
				Http.Response refused = admin().send("POST", path, null, "Origin", "http://evil.example");
				assertThat(refused.status()).as(path).isIn(400, 403);
				assertThat(refused.contentType()).as(path).startsWith("application/problem+json");
			}
			assertThat(gina.isClosed()).isFalse();
			assertThat(admin().get("/api/admin/timeout").json().path("timeoutSeconds").asLong()).isEqualTo(300);
		}
	}

	@Test
	void chatEndpointReportsThisNode() {
		try (ChatClient hank = ChatClient.join(this.port, "hank")) {
			admin().put("/api/admin/users/hank/timeout", "{\"timeoutSeconds\":600}");
			JsonNode chat = admin().get("/actuator/chat").json();
			assertThat(chat.path("online").asInt()).isEqualTo(1);
			assertThat(chat.path("timeoutSeconds").asLong()).isEqualTo(300);
			assertThat(chat.path("warningSeconds").asLong()).isEqualTo(0);
			assertThat(chat.path("sweepIntervalMillis").asLong()).isEqualTo(100);
			assertThat(chat.path("overrides").asInt()).isEqualTo(1);
		}
	}

	private double kicksTotal(String reason) {
		String prefix = "chat_kicks_total{reason=\"" + reason + "\"} ";
		return Http.anonymous(this.port)
			.get("/actuator/prometheus")
			.body()
			.lines()
			.filter((line) -> line.startsWith(prefix))
			.mapToDouble((line) -> Double.parseDouble(line.substring(prefix.length())))
			.findFirst()
			.orElseThrow();
	}

	private static JsonNode find(JsonNode users, String name) {
		for (JsonNode user : users) {
			if (user.path("name").asString().equals(name)) {
				return user;
			}
		}
		return null;
	}

}
