package io.imsystem.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin console at {@code /admin}, in a real browser, against the started app: what it shows
 * is checked against the admin API, and what it does against the chat page and raw clients.
 */
@ExtendWith(BrowserInstalled.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=console-secret",
				"chat.idle.sweep-interval=100ms" })
class AdminConsoleIntegrationTests {

	private static final String USER = "root";

	private static final String PASSWORD = "console-secret";

	@LocalServerPort
	int port;

	/** The global settings as the test found them ({@code GET /api/admin/timeout}), put back after it. */
	private JsonNode settingsBefore;

	@BeforeAll
	static void chromium() {
		Browser.assumeInstalled();
	}

	@BeforeEach
	void rememberGlobalTimeout() {
		this.settingsBefore = admin().timeout();
	}

	@AfterEach
	void restoreGlobalTimeout() {
		// Null only if the test was skipped before its setup ran: there is nothing to restore then.
		if (this.settingsBefore != null) {
			admin().restoreTimeout(this.settingsBefore.path("timeoutSeconds").asLong(),
					this.settingsBefore.path("warningSeconds").asLong());
		}
	}

	private AdminApi admin() {
		return AdminApi.of(this.port, USER, PASSWORD);
	}

	private Http api() {
		return Http.basic(this.port, USER, PASSWORD);
	}

	private ConsolePage console(Browser browser) {
		return ConsolePage.open(browser, this.port, USER, PASSWORD);
	}

	@Test
	void consoleNeedsTheAdministrator() throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		for (String path : List.of("/admin", "/admin/", "/admin/index.html", "/admin/js/console.js")) {
			HttpResponse<String> anonymous = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
			assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(path)
				.contains("Basic realm=\"im-system\"");
			assertThat(Http.basic(this.port, USER, "wrong").get(path).status()).as(path).isEqualTo(401);
		}
		for (String path : List.of("/admin", "/admin/")) {
			Http.Response page = api().get(path);
			assertThat(page.status()).as(path).isEqualTo(200);
			assertThat(page.contentType()).as(path).startsWith("text/html");
			assertThat(page.body()).as(path).contains("<script type=\"module\" src=\"/admin/js/console.js\">");
		}
	}

	@Test
	void kickFromTheConsoleEndsTheChatPageForGood() {
		try (Browser chatBrowser = Browser.desktop(); Browser consoleBrowser = Browser.desktop();
				ChatClient bystander = ChatClient.join(this.port, "grace")) {
			ChatPage alice = ChatPage.open(chatBrowser, this.port);
			// Counts the page's sockets and records how each one closed.
			alice.driver.executeScript("""
					window.closeCodes = [];
					window.socketsOpened = 0;
					const Native = window.WebSocket;
					window.WebSocket = class extends Native {
						constructor(...args) {
							super(...args);
							window.socketsOpened++;
							this.addEventListener('close', (close) => window.closeCodes.push(close.code));
						}
					};
					""");
			alice.join("alice");

			ConsolePage console = console(consoleBrowser);
			console.awaitRow("alice");
			console.manage("alice").submit("#kick-reason", "take a break, alice");

			assertThat(console.awaitText("#action-result", "alice was kicked")).contains("“take a break, alice”");
			alice.waitUntil((driver) -> alice.banner().isDisplayed());
			assertThat(alice.find("#banner-title").getText()).isEqualTo("You were kicked by an administrator");
			assertThat(alice.find("#banner-message").getText()).isEqualTo("take a break, alice");
			assertThat(alice.find("#banner-detail").getText()).isEqualTo("You will not be reconnected automatically.");
			assertThat(alice.bannerAction().getText()).isEqualTo("Rejoin");
			assertThat(alice.status()).isEqualTo("disconnected");
			assertThat(alice.driver.executeScript("return window.closeCodes")).isEqualTo(List.of(4403L));
			JsonNode leave = bystander.nextOfType("presence");
			while (!leave.path("event").asString().equals("leave")) {
				leave = bystander.nextOfType("presence");
			}
			assertThat(leave.path("reason").asString()).isEqualTo("admin");
			// Longer than the page's first reconnect delay (1 to 1.25 s): it never tries.
			await().during(Duration.ofMillis(2500))
				.atMost(Duration.ofSeconds(5))
				.until(() -> Long.valueOf(1).equals(alice.driver.executeScript("return window.socketsOpened"))
						&& !AdminApi.of(this.port, USER, PASSWORD).onlineNames().contains("alice"));

			console.waitUntil((driver) -> !console.users().contains("alice"));
			console.waitUntil((driver) -> console.kickColumn("name").contains("alice"));
			assertThat(console.kickColumn("name").get(0)).isEqualTo("alice");
			assertThat(console.kickColumn("reason").get(0)).isEqualTo("admin");
			assertThat(console.kickColumn("by").get(0)).isEqualTo(USER);
			assertThat(console.kickColumn("message").get(0)).isEqualTo("take a break, alice");

			console.select("#kick-filter", "idle");
			console.waitUntil((driver) -> !console.kickColumn("name").contains("alice"));
			assertThat(console.kickColumn("reason")).allMatch("idle"::equals);
			console.select("#kick-filter", "slow");
			assertThat(console.awaitText("#kicks-empty", "No kicks with reason slow.")).isNotEmpty();
			assertThat(console.kickColumn("name")).isEmpty();
			console.select("#kick-filter", "admin");
			console.waitUntil((driver) -> console.kickColumn("name").contains("alice"));
			assertThat(console.kickColumn("reason")).containsOnly("admin");
		}
	}

	@Test
	void consoleShowsLiveIdleTimesAndSetsAndRemovesAUsersTimeout() {
		try (Browser browser = Browser.desktop(); ChatClient bob = ChatClient.join(this.port, "bob")) {
			ConsolePage console = console(browser);
			assertThat(console.cell("bob", "address")).startsWith("127.0.0.1:");
			assertThat(console.cell("bob", "timeout")).isEqualTo("5 min global");
			// Bob says nothing: his idle time counts up on screen.
			long first = console.idleSeconds("bob");
			console.waitUntil((driver) -> console.idleSeconds("bob") >= first + 1);
			assertThat(console.cell("bob", "idle")).matches("\\d+ s");

			console.manage("bob").submit("#override-seconds", "7200");
			assertThat(console.awaitText("#action-result", "bob now has their own idle timeout")).endsWith("2 h.");
			JsonNode view = user(api().get("/api/admin/users").json(), "bob");
			assertThat(view.path("timeoutSeconds").asLong()).isEqualTo(7200);
			assertThat(view.path("override").asBoolean()).isTrue();
			console.waitUntil((driver) -> console.cell("bob", "timeout").equals("2 h own"));
			assertThat(console.awaitText("#override-now", "its own timeout, 2 h")).contains("the global one is 5 min");

			console.find("#override-remove").click();
			console.awaitText("#action-result", "bob follows the global idle timeout again: 5 min.");
			view = user(api().get("/api/admin/users").json(), "bob");
			assertThat(view.path("timeoutSeconds").asLong()).isEqualTo(300);
			assertThat(view.path("override").asBoolean()).isFalse();
			console.waitUntil((driver) -> console.cell("bob", "timeout").equals("5 min global"));
			assertThat(console.find("#override-remove").isEnabled()).isFalse();

			// A user who leaves while being managed can no longer be changed.
			bob.close();
			console.awaitText("#manage-gone", "No longer online.");
			assertThat(console.find("#kick").isEnabled()).isFalse();
			assertThat(console.users()).doesNotContain("bob");
		}
	}

	@Test
	void consoleChangesTheGlobalTimeoutAndShowsTheApisProblems() {
		try (Browser browser = Browser.desktop(); ChatClient carol = ChatClient.join(this.port, "carol")) {
			ConsolePage console = console(browser);
			assertThat(console.find("#timeout-seconds").getDomProperty("value")).isEqualTo("300");

			console.fill("#warning-seconds", "20");
			console.submit("#timeout-seconds", "600");
			assertThat(console.awaitText("#timeout-result", "The idle timeout is now 10 min"))
				.isEqualTo("The idle timeout is now 10 min, with a warning 20 s before.");
			JsonNode timeout = api().get("/api/admin/timeout").json();
			assertThat(timeout.path("timeoutSeconds").asLong()).isEqualTo(600);
			assertThat(timeout.path("warningSeconds").asLong()).isEqualTo(20);
			console.waitUntil((driver) -> console.cell("carol", "timeout").equals("10 min global"));
			assertThat(console.awaitText("#audit > li", "global timeout 5 min → 10 min")).contains(USER,
					"warning 30 s → 20 s");

			// Beyond chat.idle.max-timeout: the API's problem detail, as a sentence.
			console.submit("#timeout-seconds", "90000");
			assertThat(console.awaitText("#timeout-result", "Timeout must be"))
				.isEqualTo("Timeout must be at most 86400s, was 90000s.");
			assertThat(console.find("#timeout-result").getDomAttribute("class")).contains("problem");
			assertThat(api().get("/api/admin/timeout").json().path("timeoutSeconds").asLong()).isEqualTo(600);
		}
	}

	@Test
	void consoleSaysWhyAWarningNotShorterThanTheTimeoutIsNotSent() {
		try (Browser browser = Browser.desktop()) {
			ConsolePage console = console(browser);
			console.fill("#warning-seconds", "600");
			console.submit("#timeout-seconds", "300");
			assertThat(console.awaitText("#timeout-result", "must be shorter"))
				.isEqualTo("The warning (10 min) must be shorter than the timeout (5 min), or 0 for no warning.");
			assertThat(console.find("#timeout-result").getDomAttribute("class")).contains("problem");
			JsonNode timeout = api().get("/api/admin/timeout").json();
			assertThat(timeout.path("timeoutSeconds").asLong()).isEqualTo(this.settingsBefore.path("timeoutSeconds").asLong());
			assertThat(timeout.path("warningSeconds").asLong()).isEqualTo(this.settingsBefore.path("warningSeconds").asLong());
		}
	}

	@Test
	void idlePreviewListsWhoWouldGo() {
		try (Browser browser = Browser.desktop(); ChatClient dave = ChatClient.join(this.port, "dave");
				ChatClient erin = ChatClient.join(this.port, "erin")) {
			// Erin has her own, long timeout: a different global one would not move her.
			assertThat(api().put("/api/admin/users/erin/timeout", "{\"timeoutSeconds\":3600}").status()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				JsonNode users = api().get("/api/admin/users").json();
				return user(users, "dave").path("idleSeconds").asLong() >= 1
						&& user(users, "erin").path("idleSeconds").asLong() >= 1;
			});
			ConsolePage console = console(browser);

			console.select("#preview-unit", "seconds");
			console.submit("#preview-amount", "1");
			console.awaitText("#preview-summary", "At 1 s,");
			assertThat(console.find("#preview-summary").getText()).contains("would be disconnected now:");
			assertThat(console.previewNames()).contains("dave").doesNotContain("erin");
			assertThat(console.texts("#preview-list > li[data-name='dave'] > .idle-text")).singleElement()
				.asString()
				.matches("idle \\d+ s");

			console.select("#preview-unit", "minutes");
			console.submit("#preview-amount", "60");
			assertThat(console.awaitText("#preview-summary", "At 1 h,")).contains("nobody would be disconnected now");
			assertThat(console.previewNames()).isEmpty();
		}
	}

	@Test
	void everySectionFitsADesktopScreen() {
		try (Browser browser = Browser.desktop(); Scene scene = new Scene()) {
			ConsolePage console = console(browser);
			scene.show(console);
			for (String section : List.of("#users", "#manage", "#timeout-form", "#preview-list", "#kicks")) {
				assertThat(console.find(section).isDisplayed()).as(section).isTrue();
			}
			assertThat(console.cell("小明", "name")).isEqualTo("小明");
			assertFitsTheScreen(console);
			assertThat(console.cspViolations()).isEmpty();
			// The console is under the same policy as the chat page: an HTML string is refused.
			Object refused = console.driver.executeScript("""
					try {
						document.getElementById('users-empty').innerHTML = '<img src=x>';
						return 'accepted';
					}
					catch (error) {
						return error.name;
					}
					""");
			assertThat(refused).isEqualTo("TypeError");
			console.waitUntil((driver) -> !console.cspViolations().isEmpty());
			assertThat(console.cspViolations()).containsExactly("require-trusted-types-for trusted-types-sink");
			// The whole page, not just the window's first screenful: a viewport as tall as the page.
			Object height = console.driver.executeScript("return document.documentElement.scrollHeight");
			console.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width",
					Browser.DESKTOP.width, "height", height, "deviceScaleFactor", 1, "mobile", false));
			Screenshots.save(console.driver, "console");
		}
	}

	@Test
	void worksOnAPhoneSizedScreen() {
		try (Browser browser = Browser.phone(); Scene scene = new Scene()) {
			ConsolePage console = console(browser);
			scene.show(console);
			assertThat(console.find("#override-seconds").isDisplayed()).isTrue();
			assertThat(console.find("#kick").isDisplayed()).isTrue();
			Boolean idleShown = console.waitUntil((driver) -> {
				WebElement row = console.row("maria");
				return (row != null) ? row.findElement(By.cssSelector("td.idle")).isDisplayed() : null;
			});
			assertThat(idleShown).isTrue();
			assertFitsTheScreen(console);
			console.driver.executeScript("window.scrollTo(0, 0)");
			Screenshots.save(console.driver, "console-phone");
		}
	}

	private static void assertFitsTheScreen(ConsolePage console) {
		Object overflow = console.driver
			.executeScript("return document.documentElement.scrollWidth > document.documentElement.clientWidth");
		assertThat(overflow).as("page wider than the screen").isEqualTo(false);
	}

	/**
	 * A console with something in every section: a few people online (one with a timeout of her
	 * own), an administrator's kick and an idle kick in the history, a preview, the manage panel.
	 */
	private final class Scene implements AutoCloseable {

		private final List<ChatClient> online;

		Scene() {
			this.online = List.of(ChatClient.join(port, "maria"), ChatClient.join(port, "小明"),
					ChatClient.join(port, "oskar"));
			try (ChatClient spammer = ChatClient.join(port, "spammer42"); ChatClient sleepy = ChatClient.join(port, "sleepy")) {
				assertThat(api().post("/api/admin/users/spammer42/kick", "{\"message\":\"flooding the channel\"}").status())
					.isEqualTo(200);
				// A one-second timeout of its own: the sweeper kicks it for being idle.
				assertThat(api().put("/api/admin/users/sleepy/timeout", "{\"timeoutSeconds\":1}").status())
					.isEqualTo(200);
				sleepy.awaitClose();
			}
			assertThat(api().put("/api/admin/users/oskar/timeout", "{\"timeoutSeconds\":3600}").status())
				.isEqualTo(200);
			this.online.get(0).send("{\"type\":\"chat\",\"text\":\"still here\"}");
		}

		void show(ConsolePage console) {
			console.waitUntil((driver) -> console.kickColumn("name").containsAll(List.of("spammer42", "sleepy")));
			console.select("#preview-unit", "seconds");
			console.submit("#preview-amount", "1");
			console.waitUntil((driver) -> console.previewNames().contains("小明"));
			console.manage("oskar");
			console.fill("#kick-reason", "please keep it friendly");
		}

		@Override
		public void close() {
			this.online.forEach(ChatClient::close);
		}

	}

	private static JsonNode user(JsonNode users, String name) {
		for (JsonNode user : users) {
			if (user.path("name").asString().equals(name)) {
				return user;
			}
		}
		throw new AssertionError("no " + name + " in " + users);
	}

}
