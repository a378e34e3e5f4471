package io.imsystem.web;

import io.imsystem.ImSystemApplication;
import io.imsystem.support.AdminApi;
import io.imsystem.support.FreePort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.WebElement;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle kick as the person sees it, with a 2-second timeout: a countdown, then a banner with
 * the kick message and no automatic reconnect; whereas a server restart (1001) is reconnected by
 * the page itself. The test starts the server itself, on a port of its own, so that it can stop
 * and start it again at the same address.
 */
@ExtendWith(BrowserInstalled.class)
class IdleKickPageIntegrationTests {

	private static final String ADMIN_PASSWORD = "idle-page";

	@BeforeAll
	static void chromium() {
		Browser.assumeInstalled();
	}

	@Test
	void idlePersonIsWarnedThenKickedAndStaysOut() {
		int port = FreePort.find();
		ConfigurableApplicationContext server = new SpringApplicationBuilder(ImSystemApplication.class).run(
				"--server.port=" + port, "--chat.idle.timeout=2s", "--chat.idle.warning-before=1s",
				"--chat.idle.sweep-interval=100ms", "--chat.admin.password=" + ADMIN_PASSWORD);
		try (Browser aliceBrowser = Browser.desktop(); Browser bobBrowser = Browser.desktop()) {
			ChatPage alice = ChatPage.open(aliceBrowser, port);
			ChatPage bob = ChatPage.open(bobBrowser, port);
			alice.join("alice");
			bob.join("bob");
			alice.type("大家好");
			bob.waitUntil((driver) -> bob.hasEntry("chat", "大家好"), alice);
			bob.type("hi alice, don't fall asleep");
			alice.waitUntil((driver) -> alice.hasEntry("chat", "don't fall asleep"), bob);
			bob.type("/to alice 还在吗?");
			alice.waitUntil((driver) -> alice.hasEntry("private", "还在吗?"), bob);

			// "I'm here" is a real command: the warning goes away and alice is not kicked.
			alice.waitUntil((driver) -> alice.idleWarning().isDisplayed(), bob);
			alice.click("#im-here");
			assertThat(alice.idleWarning().isDisplayed()).isFalse();

			// Now alice does nothing; bob keeps answering his own warnings.
			alice.waitUntil((driver) -> alice.idleWarning().isDisplayed(), bob);
			assertThat(alice.idleWarning().getText()).matches("(?s).*disconnected in [12] s.*");
			alice.waitUntil((driver) -> alice.banner().isDisplayed(), bob);
			assertThat(alice.idleWarning().isDisplayed()).isFalse();
			assertThat(alice.find("#banner-title").getText()).isEqualTo("You were disconnected for being idle");
			assertThat(alice.find("#banner-message").getText()).isEqualTo("你被踢了");
			assertThat(alice.bannerAction().getText()).isEqualTo("Rejoin");
			assertThat(alice.status()).isEqualTo("disconnected");
			// Nothing typed now could be sent: the composer waits for Rejoin, and the log keeps why.
			assertThat(alice.find("#message").isEnabled()).isFalse();
			assertThat(alice.find("#send").isEnabled()).isFalse();
			assertThat(alice.awaitEntry("problem", "你被踢了").getText())
				.contains("You were disconnected for being idle");

			WebElement left = bob.awaitEntry("leave", "alice left", bob);
			assertThat(left.getDomAttribute("data-reason")).isEqualTo("idle");
			assertThat(left.getText()).contains("alice left (idle)");
			bob.waitUntil((driver) -> !bob.users().contains("alice"), bob);
			Screenshots.save(alice.driver, "chat");

			// A server restart closes bob with 1001: his page comes back by itself...
			server.stop();
			server.start();
			bob.waitUntil((driver) -> bob.hasEntry("join", "Reconnected as bob"), bob);
			// ...while alice's, kicked with 4408 before him, did not.
			assertThat(AdminApi.of(port, ADMIN_PASSWORD).onlineNames()).containsExactly("bob");
			assertThat(bob.users()).containsExactly("bob");
			assertThat(alice.status()).isEqualTo("disconnected");

			alice.bannerAction().click();
			alice.waitUntil((driver) -> alice.status().equals("online as alice"), bob);
			assertThat(alice.banner().isDisplayed()).isFalse();
			assertThat(alice.find("#message").isEnabled()).isTrue();
			alice.type("back again");
			bob.waitUntil((driver) -> bob.hasEntry("chat", "back again"), bob);
			bob.waitUntil((driver) -> bob.hasEntry("join", "alice joined") && bob.users().contains("alice"), bob);
		}
		finally {
			server.close();
		}
	}

}
