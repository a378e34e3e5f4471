package io.imsystem.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page as a person uses it: through the form fields, buttons and the Enter key, and by
 * reading what is on screen. Every wait is bounded.
 */
final class ChatPage {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** Short, so that a state that lasts about a second (the idle countdown) is not missed. */
	static final Duration POLL = Duration.ofMillis(50);

	final ChromeDriver driver;

	private ChatPage(ChromeDriver driver) {
		this.driver = driver;
	}

	static ChatPage open(Browser browser, int port) {
		return open(browser, "localhost", port);
	}

	/**
	 * Opens the page at the given host: {@code 127.0.0.1} where the test counts connections per
	 * address, since {@code localhost} may be reached over IPv6.
	 */
	static ChatPage open(Browser browser, String host, int port) {
		browser.driver.get("http://" + host + ":" + port + "/");
		return new ChatPage(browser.driver);
	}

	/** Reloads the page, as a person pressing F5 would. */
	ChatPage reload() {
		this.driver.navigate().refresh();
		return this;
	}

	/**
	 * Puts text into the focused message field as a paste or an input method does: as one edit
	 * the browser applies with its own rules (a {@code maxlength}, say), with the events a person's
	 * typing fires. chromedriver's {@code sendKeys} cannot type characters outside the BMP.
	 */
	ChatPage insertText(String text) {
		find("#message").click();
		this.driver.executeCdpCommand("Input.insertText", Map.of("text", text));
		return this;
	}

	/** Joins under {@code name} (empty: keep the generated one) and waits until online. */
	ChatPage join(String name) {
		WebElement input = find("#name-input");
		input.clear();
		input.sendKeys(name, Keys.ENTER);
		waitUntil((driver) -> status().startsWith("online as "));
		return this;
	}

	/** Types a line into the message field and presses Enter, as a person would. */
	ChatPage type(String line) {
		WebElement message = find("#message");
		message.sendKeys(line, Keys.ENTER);
		return this;
	}

	String status() {
		return find("#status").getText();
	}

	String myName() {
		return status().substring("online as ".length());
	}

	/**
	 * The names in the list, read in one script: the page re-renders the list on every presence
	 * event, so elements found one call earlier may be gone by the next.
	 */
	@SuppressWarnings("unchecked")
	List<String> users() {
		return (List<String>) ((JavascriptExecutor) this.driver).executeScript(
				"return Array.from(document.querySelectorAll('#users button.user'), (e) => e.getAttribute('data-name'));");
	}

	void selectUser(String name) {
		// Found and clicked in one wait: a re-render between the two makes the button stale (retried).
		waitUntil((driver) -> {
			WebElement button = this.driver.findElements(By.cssSelector("#users button.user"))
				.stream()
				.filter((candidate) -> name.equals(candidate.getDomAttribute("data-name")))
				.findFirst()
				.orElse(null);
			if (button == null) {
				return null;
			}
			button.click();
			return true;
		});
	}

	String nameField() {
		return find("#name-input").getDomProperty("value");
	}

	String messageField() {
		return find("#message").getDomProperty("value");
	}

	/** The log's entries of the given CSS class ({@code chat}, {@code private}, {@code leave}...). */
	List<WebElement> entries(String kind) {
		return this.driver.findElements(By.cssSelector("#log > li." + kind));
	}

	/** Waits for a log entry of the given class whose text contains {@code text}; returns it. */
	WebElement awaitEntry(String kind, String text) {
		return waitUntil((driver) -> entries(kind).stream()
			.filter((entry) -> entry.getText().contains(text))
			.findFirst()
			.orElse(null));
	}

	/** {@link #awaitEntry(String, String)}, answering {@code keptActive}'s idle warnings meanwhile. */
	WebElement awaitEntry(String kind, String text, ChatPage keptActive) {
		return waitUntil((driver) -> entries(kind).stream()
			.filter((entry) -> entry.getText().contains(text))
			.findFirst()
			.orElse(null), keptActive);
	}

	boolean hasEntry(String kind, String text) {
		return entries(kind).stream().anyMatch((entry) -> entry.getText().contains(text));
	}

	WebElement idleWarning() {
		return find("#idle-warning");
	}

	WebElement banner() {
		return find("#banner");
	}

	WebElement bannerAction() {
		return find("#banner-action");
	}

	WebElement find(String css) {
		return this.driver.findElement(By.cssSelector(css));
	}

	/**
	 * If the idle warning is showing, answers it with "I'm here". Called on every poll of a wait, so
	 * a click that cannot land yet (the warning still sliding in, or already going because the
	 * kick or an answer came first) is left to the next poll rather than waited for here.
	 */
	void stayActive() {
		WebElement warning = idleWarning();
		if (warning.isDisplayed()) {
			try {
				find("#im-here").click();
			}
			catch (ElementNotInteractableException | StaleElementReferenceException ex) {
				// The next poll tries again.
			}
		}
	}

	/**
	 * Clicks an element as a person would: once it is where it is going. A banner that has just
	 * appeared may still be moving, and a click then lands on what is under it.
	 */
	void click(String css) {
		waitUntil((driver) -> {
			find(css).click();
			return true;
		});
	}

	<T> T waitUntil(Function<WebDriver, T> condition) {
		return new WebDriverWait(this.driver, TIMEOUT, POLL).withMessage(this::describe)
			.ignoring(StaleElementReferenceException.class)
			.ignoring(ElementClickInterceptedException.class)
			.until(condition);
	}

	/** What the page showed when a wait gave up: enough to tell why from the build log. */
	private String describe() {
		List<String> log = this.driver.findElements(By.cssSelector("#log > li"))
			.stream()
			.map((entry) -> entry.getDomAttribute("class") + ": " + entry.getText())
			.toList();
		return "status '%s', users %s, banner '%s', log %s".formatted(status(), users(),
				banner().isDisplayed() ? banner().getText() : "", log.subList(Math.max(0, log.size() - 8), log.size()));
	}

	/**
	 * Waits until {@code condition} holds, answering {@code keptActive}'s idle warnings meanwhile,
	 * so that only the person who does nothing is kicked.
	 */
	<T> T waitUntil(Function<WebDriver, T> condition, ChatPage keptActive) {
		return waitUntil((driver) -> {
			keptActive.stayActive();
			return condition.apply(driver);
		});
	}

}
