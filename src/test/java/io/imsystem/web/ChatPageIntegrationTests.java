package io.imsystem.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.support.ChatClient;
import io.imsystem.support.RawWebSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real people in real browser windows, chatting through the page at {@code /}. */
@ExtendWith(BrowserInstalled.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ChatPageIntegrationTests {

	private static final String XSS = "<img src=x onerror=alert(1)>";

	@LocalServerPort
	int port;

	@BeforeAll
	static void chromium() {
		Browser.assumeInstalled();
	}

	@Test
	void twoPeopleChatWhisperAndRename() {
		try (Browser aliceBrowser = Browser.desktop(); Browser bobBrowser = Browser.desktop();
				ChatClient carol = ChatClient.join(this.port, "carol")) {
			ChatPage alice = ChatPage.open(aliceBrowser, this.port).join("alice");
			ChatPage bob = ChatPage.open(bobBrowser, this.port).join("bob");
			alice.waitUntil((driver) -> alice.users().containsAll(List.of("alice", "bob", "carol")));
			assertThat(alice.awaitEntry("join", "bob joined")).isNotNull();

			alice.type("你好, bob");
			WebElement received = bob.awaitEntry("chat", "你好, bob");
			assertThat(received.findElement(By.className("from")).getText()).isEqualTo("alice");

			bob.selectUser("alice");
			assertThat(bob.messageField()).isEqualTo("/to alice ");
			bob.type("just between us");
			WebElement whisper = alice.awaitEntry("private", "just between us");
			assertThat(whisper.getText()).contains("bob → you");
			assertThat(bob.awaitEntry("private", "just between us").getText()).contains("you → alice");
			assertThat(alice.hasEntry("chat", "just between us")).isFalse();

			bob.type("/to carol hi carol");
			bob.type("everyone again");
			assertThat(bob.awaitEntry("private", "hi carol").getText()).contains("you → carol");
			List<JsonNode> carolGot = eventsUntilChat(carol, "everyone again");
			assertThat(carolGot).filteredOn((event) -> event.path("type").asString().equals("private"))
				.extracting((event) -> event.path("text").asString())
				.containsExactly("hi carol");

			alice.type("/rename alicia");
			bob.awaitEntry("rename", "alice is now alicia");
			bob.waitUntil((driver) -> bob.users().contains("alicia") && !bob.users().contains("alice"));
			alice.waitUntil((driver) -> alice.status().equals("online as alicia"));

			bob.type("/who");
			assertThat(bob.awaitEntry("who", "Online (3)").getText()).contains("alicia", "bob", "carol");
		}
	}

	@Test
	void userTextIsRenderedAsText() {
		try (Browser browser = Browser.desktop(); ChatClient mallory = ChatClient.join(this.port, "mallory")) {
			ChatPage page = ChatPage.open(browser, this.port);
			// Any alert() the page were tricked into calling lands here instead of in a dialog.
			page.driver.executeScript("window.alerts = []; window.alert = (text) => window.alerts.push(String(text));");
			page.join(XSS);
			String refused = page.awaitEntry("problem", "You could not join as").getText();
			assertThat(refused).contains("“" + XSS + "”", "That name is not allowed");
			assertThat(page.myName()).matches("user-[0-9a-f]{6}");

			page.type(XSS);
			mallory.send("{\"type\":\"chat\",\"text\":\"" + XSS + "\"}");
			mallory.send("{\"type\":\"private\",\"to\":\"" + page.myName() + "\",\"text\":\"<b>bold</b>" + XSS + "\"}");
			page.waitUntil((driver) -> page.entries("chat").size() == 2);
			assertThat(page.entries("chat")).extracting((entry) -> entry.findElement(By.className("text")).getText())
				.containsExactly(XSS, XSS);
			assertThat(page.awaitEntry("private", "<b>bold</b>" + XSS)).isNotNull();

			assertThat(page.driver.findElements(By.tagName("img"))).isEmpty();
			assertThat(page.driver.findElements(By.tagName("b"))).isEmpty();
			assertThat(page.driver.executeScript("return window.alerts.length")).isEqualTo(0L);
		}
	}

	@Test
	void errorsAreReadableSentences() {
		try (Browser browser = Browser.desktop(); ChatClient taken = ChatClient.join(this.port, "dave")) {
			ChatPage page = ChatPage.open(browser, this.port).join("Dave");
			assertThat(page.awaitEntry("problem", "You could not join as").getText())
				.contains("“Dave”", "That name is taken");

			page.type("/to nobody hello");
			assertThat(text(page.awaitEntry("problem", "Nobody by that name is online")))
				.isEqualTo("Nobody by that name is online.");

			page.type("/rename dave");
			assertThat(page.awaitEntry("problem", "You could not rename to").getText())
				.contains("“dave”", "That name is taken");

			page.type("/frobnicate");
			page.awaitEntry("problem", "Unknown command /frobnicate");

			// Leaving on purpose has no reason worth saying.
			taken.close();
			assertThat(text(page.awaitEntry("leave", "dave left"))).isEqualTo("dave left");

			assertThat(page.entries("problem")).extracting(WebElement::getText)
				.allSatisfy((text) -> assertThat(text).doesNotContain("{", "\"code\""));
		}
	}

	@Test
	void worksOnAPhoneSizedScreen() {
		try (Browser browser = Browser.phone(); ChatClient other = ChatClient.join(this.port, "erin")) {
			ChatPage page = ChatPage.open(browser, this.port).join("");
			assertThat(page.myName()).matches("user-[0-9a-f]{6}");
			page.type("hello from a phone");
			WebElement sent = page.awaitEntry("chat", "hello from a phone");
			assertThat(sent.isDisplayed()).isTrue();
			assertThat(page.find("#message").isDisplayed()).isTrue();
			assertThat(page.find("#send").isDisplayed()).isTrue();
			page.selectUser("erin");
			assertThat(page.messageField()).isEqualTo("/to erin ");
			Object overflow = page.driver
				.executeScript("return document.documentElement.scrollWidth > document.documentElement.clientWidth");
			assertThat(overflow).as("page wider than the screen").isEqualTo(false);
			Screenshots.save(page.driver, "chat-phone");
		}
	}

	@Test
	void contentSecurityPolicyForbidsInlineScript() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("<script type=\"module\" src=\"js/chat.js\">");
		String policy = response.headers().firstValue("Content-Security-Policy").orElseThrow();
		assertThat(directive(policy, "script-src")).containsExactly("'self'");
		assertThat(directive(policy, "default-src")).containsExactly("'self'");
		assertThat(directive(policy, "require-trusted-types-for")).containsExactly("'script'");

		try (Browser browser = Browser.desktop()) {
			ChatPage page = ChatPage.open(browser, this.port);
			// However the script gets in (here: by DOM calls, the way an injection would), it must not run.
			Object violations = page.driver.executeAsyncScript("""
					const done = arguments[arguments.length - 1];
					const violations = [];
					document.addEventListener('securitypolicyviolation',
						(violation) => violations.push(violation.effectiveDirective));
					try {
						const script = document.createElement('script');
						script.append(document.createTextNode('window.inlineRan = true;'));
						document.body.append(script);
					}
					catch (refused) {
						violations.push(refused.name);
					}
					setTimeout(() => done(violations), 0);
					""");
			assertThat(page.driver.executeScript("return window.inlineRan === true")).isEqualTo(false);
			assertThat((List<?>) violations).isNotEmpty();
			// The policy does not get in the page's own way: its module script runs and connects.
			page.join("frank");
		}
	}

	@Test
	void originalVerbsTypedInThePageAreCommandsAndTheNameIsRemembered() {
		try (Browser browser = Browser.desktop(); ChatClient bob = ChatClient.join(this.port, "bob");
				ChatClient carol = ChatClient.join(this.port, "carol")) {
			ChatPage alice = ChatPage.open(browser, this.port).join("alice");
			alice.waitUntil((driver) -> alice.users().containsAll(List.of("alice", "bob", "carol")));

			alice.type("to|bob|secret");
			JsonNode whisper = bob.nextOfType("private");
			assertThat(whisper.path("from").asString()).isEqualTo("alice");
			assertThat(whisper.path("text").asString()).isEqualTo("secret");
			assertThat(alice.awaitEntry("private", "secret").getText()).contains("you → bob");

			alice.type("who");
			assertThat(alice.awaitEntry("who", "Online (3)").getText()).contains("alice", "bob", "carol");
			alice.type("rename|alicia");
			alice.waitUntil((driver) -> alice.status().equals("online as alicia"));
			alice.type("done");

			List<JsonNode> carolGot = eventsUntilChat(carol, "done");
			assertThat(carolGot).filteredOn((event) -> event.path("type").asString().equals("chat"))
				.extracting((event) -> event.path("text").asString())
				.containsExactly("done");
			assertThat(carolGot).noneMatch((event) -> event.path("type").asString().equals("private"));
			assertThat(carolGot).anyMatch((event) -> event.path("event").asString().equals("rename")
					&& event.path("name").asString().equals("alicia"));

			// The name the server last confirmed is offered again after a reload.
			alice.reload();
			alice.waitUntil((driver) -> alice.find("#join-form").isDisplayed() && alice.nameField().equals("alicia"));
			// Joined again once the old page's session is gone: until then the name is taken.
			carol.awaitChange("leave", "alicia");
			alice.join(alice.nameField());
			assertThat(alice.myName()).isEqualTo("alicia");
		}
	}

	@Test
	void composerCountsCharactersAsTheServerDoes() {
		// 1,200 emoji: 2,400 UTF-16 units, 1,200 code points; the server allows 1,000 code points.
		String tooLong = "😀".repeat(1200);
		try (Browser browser = Browser.desktop(); ChatClient bob = ChatClient.join(this.port, "bob")) {
			ChatPage alice = ChatPage.open(browser, this.port).join("alice");
			alice.insertText(tooLong);
			String kept = alice.messageField();
			assertThat(kept.codePointCount(0, kept.length())).isEqualTo(1000);
			alice.type("");
			JsonNode chat = bob.nextOfType("chat");
			assertThat(chat.path("text").asString()).isEqualTo("😀".repeat(1000));
			assertThat(alice.entries("problem")).isEmpty();
		}
	}

	@Test
	void aLongUnbrokenMessageBreaksButItsTimeStaysOnOneLine() {
		String unbroken = "a".repeat(400);
		for (boolean phone : new boolean[] { false, true }) {
			try (Browser browser = phone ? Browser.phone() : Browser.desktop();
					ChatClient mallory = ChatClient.join(this.port, "mallory")) {
				ChatPage page = ChatPage.open(browser, this.port).join("");
				mallory.send("{\"type\":\"chat\",\"text\":\"" + unbroken + "\"}");
				WebElement entry = page.awaitEntry("chat", unbroken.substring(0, 20));
				// An inline element broken over two lines has one client rect per line.
				Object timeLines = page.driver.executeScript("return arguments[0].getClientRects().length",
						entry.findElement(By.tagName("time")));
				Object textLines = page.driver.executeScript(
						"const text = arguments[0]; return Math.round(text.getBoundingClientRect().height"
								+ " / parseFloat(getComputedStyle(text).lineHeight));",
						entry.findElement(By.className("text")));
				Object overflow = page.driver.executeScript(
						"const log = document.getElementById('log'); return log.scrollWidth > log.clientWidth");
				assertThat(timeLines).as(phone ? "phone" : "desktop").isEqualTo(1L);
				assertThat((Long) textLines).as(phone ? "phone" : "desktop").isGreaterThan(1L);
				assertThat(overflow).as(phone ? "phone" : "desktop").isEqualTo(false);
			}
		}
	}

	@Test
	void tooManyConnectionsFromOneAddressIsSaidOnceNotRetriedInALoop() throws Exception {
		List<RawWebSocket> crowd = new ArrayList<>();
		try (Browser browser = Browser.desktop()) {
			// Up to the limit (50 unless configured), counting whatever earlier tests still hold.
			for (int i = 0; i < 100; i++) {
				RawWebSocket socket = RawWebSocket.open(this.port, "/ws/chat");
				if (socket.handshake().status() != 101) {
					assertThat(socket.handshake().status()).isEqualTo(429);
					socket.close();
					break;
				}
				crowd.add(socket);
			}
			HttpResponse<String> refused = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(connectionCheckUri()).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(refused.body()).contains("\"title\":\"Too many connections\"", "\"status\":429");

			ChatPage page = ChatPage.open(browser, "127.0.0.1", this.port);
			page.driver.executeScript("""
					window.socketsOpened = 0;
					const Native = window.WebSocket;
					window.WebSocket = class extends Native {
						constructor(...args) {
							super(...args);
							window.socketsOpened++;
						}
					};
					""");
			page.find("#name-input").sendKeys("alice", Keys.ENTER);
			page.waitUntil((driver) -> page.banner().isDisplayed()
					&& page.find("#banner-title").getText().equals("Too many connections from your address"));
			assertThat(page.find("#banner-message").getText()).contains("at most", "from one address");
			assertThat(page.find("#banner-detail").getText()).matches("Reconnecting in \\d+ s…");
			// The first retry waits 15 s or more: until then, the page tried once.
			assertThat(page.driver.executeScript("return window.socketsOpened")).isEqualTo(1L);

			// Room for the page again. A few slots, not one: Chromium opens speculative connections
			// that send no request, and those count toward the limit until their headers arrive or
			// chat.limits.header-timeout closes them (slowloris defence).
			for (int i = 0; i < 5; i++) {
				crowd.remove(0).close();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> connectionCheck() == 204);
			page.bannerAction().click();
			page.waitUntil((driver) -> page.status().equals("online as alice"));
			assertThat(page.banner().isDisplayed()).isFalse();
		}
		finally {
			for (RawWebSocket socket : crowd) {
				socket.close();
			}
			// The next test starts with this address's connections released.
			await().atMost(Duration.ofSeconds(10)).until(() -> connectionCheck() != 429);
		}
	}

	private URI connectionCheckUri() {
		return URI.create("http://127.0.0.1:" + this.port + "/api/connection-check");
	}

	private int connectionCheck() throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(connectionCheckUri()).build(), HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	private static String text(WebElement entry) {
		return entry.findElement(By.className("text")).getText();
	}

	/** The sources of one directive of a Content-Security-Policy. */
	private static List<String> directive(String policy, String name) {
		for (String directive : policy.split(";")) {
			List<String> parts = List.of(directive.trim().split("\\s+"));
			if (parts.get(0).equals(name)) {
				return parts.subList(1, parts.size());
			}
		}
		return List.of();
	}

	/** The events a raw client receives up to the chat with the given text. */
	private static List<JsonNode> eventsUntilChat(ChatClient client, String text) {
		List<JsonNode> events = new ArrayList<>();
		JsonNode event;
		do {
			event = client.next();
			events.add(event);
		}
		while (!(event.path("type").asString().equals("chat") && event.path("text").asString().equals(text)));
		return events;
	}

}
