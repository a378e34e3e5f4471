package io.imsystem.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.imsystem.support.ChatClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin console's security in real Chromium. An evil page on another origin of the same host,
 * in the browser of an administrator who has logged in to the console (so Chromium holds the Basic
 * credentials and replays them): its writes to the admin API must be refused however it spells the
 * path. What the server answered is read from Tomcat's access log, since the page itself cannot
 * read a cross-origin answer. And the console's own URLs: a user's name is one path segment.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "chat.admin.username=root", "chat.admin.password=cross-secret",
				"server.tomcat.accesslog.enabled=true", "server.tomcat.accesslog.pattern=%r %s",
				"server.tomcat.accesslog.prefix=access", "server.tomcat.accesslog.suffix=.log",
				"server.tomcat.accesslog.rotate=false", "server.tomcat.accesslog.buffered=false" })
class AdminConsoleSecurityIntegrationTests {

	private static final Path LOGS = temporaryDirectory();

	@LocalServerPort
	int port;

	private HttpServer evil;

	@DynamicPropertySource
	static void accessLog(DynamicPropertyRegistry registry) {
		registry.add("server.tomcat.accesslog.directory", LOGS::toString);
	}

	@BeforeEach
	void evilSite() throws IOException {
		Browser.assumeInstalled();
		this.evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.evil.createContext("/", (exchange) -> {
			byte[] page = "<!doctype html><title>cute cats</title>".getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, page.length);
			exchange.getResponseBody().write(page);
			exchange.close();
		});
		this.evil.start();
	}

	@AfterEach
	void stopEvilSite() {
		if (this.evil != null) {
			this.evil.stop(0);
		}
	}

	@Test
	void aPageOnAnotherPortCannotKickThroughTheAdministratorsBrowser() {
		try (Browser browser = Browser.desktop(); ChatClient bob = ChatClient.join(this.port, "bob")) {
			// The administrator logs in; a page whose own address carries credentials may not fetch, so the
			// console is then opened again without them, as after a login prompt.
			browser.driver.get("http://root:cross-secret@127.0.0.1:" + this.port + "/admin/");
			browser.driver.get("http://127.0.0.1:" + this.port + "/admin/");
			new WebDriverWait(browser.driver, Duration.ofSeconds(20))
				.until((driver) -> driver.findElement(By.id("status")).getText().startsWith("live"));

			browser.driver.get("http://127.0.0.1:" + this.evil.getAddress().getPort() + "/");
			String app = "http://127.0.0.1:" + this.port;
			browser.driver.executeAsyncScript("""
					const done = arguments[arguments.length - 1];
					const send = (method, path) => fetch(arguments[0] + path, { method, mode: 'no-cors', credentials: 'include' })
						.catch(() => null);
					send('GET', '/api/admin/users?from=evil')
						.then(() => send('POST', '/api/%61dmin/users/bob/kick'))
						.then(() => send('POST', '/api/admin/users/bob/kick'))
						.then(() => done());
					""", app);

			// The read went through with the replayed credentials: the refusals below are the guard's.
			assertThat(awaitAccessLog("GET /api/admin/users?from=evil HTTP/")).endsWith(" 200");
			assertThat(awaitAccessLog("POST /api/%61dmin/users/bob/kick HTTP/")).endsWith(" 403");
			assertThat(awaitAccessLog("POST /api/admin/users/bob/kick HTTP/")).endsWith(" 403");

			bob.send("{\"type\":\"who\"}");
			assertThat(bob.next("users").path("users").findValuesAsString("name")).contains("bob");
			assertThat(bob.isClosed()).isFalse();
		}
	}

	@Test
	void theConsoleAddressesAUserByOnePathSegmentAndNeverByADotSegment() {
		try (Browser browser = Browser.desktop()) {
			ConsolePage console = ConsolePage.open(browser, this.port, "root", "cross-secret");
			Object paths = console.driver.executeAsyncScript("""
					const done = arguments[arguments.length - 1];
					import('/admin/js/api.js').then((api) => done(['a/b?c#d', '127.0.0.1:4242', 'ä', '..', '.'].map((name) => {
						try {
							return api.userPath(name, '/kick');
						}
						catch (refused) {
							return 'refused: ' + refused.message;
						}
					})));
					""");
			assertThat(paths).asList()
				.containsExactly("/users/a%2Fb%3Fc%23d/kick", "/users/127.0.0.1%3A4242/kick", "/users/%C3%A4/kick",
						"refused: The user “..” cannot be addressed by name.",
						"refused: The user “.” cannot be addressed by name.");
		}
	}

	/** The access log line of the last request that starts with {@code request}, once it is written. */
	private String awaitAccessLog(String request) {
		return await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
			List<String> lines = Files.readAllLines(LOGS.resolve("access.log"));
			return lines.stream().filter((line) -> line.startsWith(request)).reduce((first, last) -> last).orElse(null);
		}, (line) -> line != null);
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("cross-site-access-log-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
