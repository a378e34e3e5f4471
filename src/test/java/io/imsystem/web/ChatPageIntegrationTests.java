package io.imsystem.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.support.ChatClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Real people in real browser windows, chatting through the page at {@code /}. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ChatPageIntegrationTests {

	private static final String XSS = "<img src=x onerror=alert(1)>";

	@LocalServerPort
	int port;

	@BeforeEach
	void chromium() {
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
			assertThat(page.awaitEntry("problem", "Nobody by that name is online").getText())
				.contains("no user named nobody");

			page.type("/rename dave");
			assertThat(page.awaitEntry("problem", "You could not rename to").getText())
				.contains("“dave”", "That name is taken");

			page.type("/frobnicate");
			page.awaitEntry("problem", "Unknown command /frobnicate");

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
