package io.imsystem.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin console at {@code /admin} as an administrator uses it: through its fields, buttons and
 * the keyboard, and by reading what is on screen. Every wait is bounded.
 */
final class ConsolePage {

	final ChromeDriver driver;

	private ConsolePage(ChromeDriver driver) {
		this.driver = driver;
	}

	/**
	 * Logs in and opens the console. Headless Chromium cannot show the login prompt, so the
	 * browser is told (through a DevTools command that needs no version-specific binding) to send
	 * the administrator's Basic credentials with every request, as it does once a person has
	 * answered the prompt. The 401 challenge itself is checked over plain HTTP.
	 */
	static ConsolePage open(Browser browser, int port, String user, String password) {
		String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
		browser.driver.executeCdpCommand("Network.enable", Map.of());
		browser.driver.executeCdpCommand("Network.setExtraHTTPHeaders",
				Map.of("headers", Map.of("Authorization", "Basic " + basic)));
		// Records every Content-Security-Policy violation, from before the page's own script runs.
		browser.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
				window.cspViolations = [];
				document.addEventListener('securitypolicyviolation',
					(violation) => window.cspViolations.push(violation.effectiveDirective + ' ' + violation.blockedURI));
				"""));
		browser.driver.get("http://127.0.0.1:" + port + "/admin");
		ConsolePage page = new ConsolePage(browser.driver);
		page.waitUntil((driver) -> page.status().startsWith("live"));
		return page;
	}

	/** What the Content-Security-Policy refused on this page so far. */
	@SuppressWarnings("unchecked")
	List<String> cspViolations() {
		return (List<String>) this.driver.executeScript("return window.cspViolations");
	}

	String status() {
		return find("#status").getText();
	}

	/**
	 * The names in the online table, in its order, read in one script: the console re-renders the
	 * table as it refreshes, so rows found one call earlier may be gone by the next.
	 */
	@SuppressWarnings("unchecked")
	List<String> users() {
		return (List<String>) ((JavascriptExecutor) this.driver).executeScript(
				"return Array.from(document.querySelectorAll('#user-rows > tr'), (e) => e.getAttribute('data-name'));");
	}

	/** The online table's row of one user, or {@code null}. */
	WebElement row(String name) {
		return this.driver.findElements(By.cssSelector("#user-rows > tr"))
			.stream()
			.filter((row) -> name.equals(row.getDomAttribute("data-name")))
			.findFirst()
			.orElse(null);
	}

	WebElement awaitRow(String name) {
		return waitUntil((driver) -> row(name));
	}

	/** The idle seconds the row shows now (it counts up between two refreshes). */
	long idleSeconds(String name) {
		// Found and read in one wait: a refresh between the two replaces the row (stale, retried).
		return Long.parseLong(waitUntil((driver) -> {
			WebElement row = row(name);
			return (row != null) ? row.getDomAttribute("data-idle-seconds") : null;
		}));
	}

	String cell(String name, String cell) {
		return waitUntil((driver) -> {
			WebElement row = row(name);
			return (row != null) ? row.findElement(By.cssSelector("td." + cell)).getText() : null;
		});
	}

	/** Opens the manage panel of one user with the keyboard: focus its button, press Enter. */
	ConsolePage manage(String name) {
		waitUntil((driver) -> {
			WebElement row = row(name);
			if (row == null) {
				return null;
			}
			row.findElement(By.cssSelector("button.manage-button")).sendKeys(Keys.ENTER);
			return true;
		});
		waitUntil((driver) -> find("#manage").isDisplayed() && find("#manage-name").getText().equals(name));
		return this;
	}

	/** Types into a field, replacing what was there. */
	WebElement fill(String css, String text) {
		WebElement field = find(css);
		field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
		field.sendKeys(text);
		return field;
	}

	/** Types into a field, replacing what was there, and presses Enter. */
	void submit(String css, String text) {
		fill(css, text).sendKeys(Keys.ENTER);
	}

	void select(String css, String visibleText) {
		new Select(find(css)).selectByVisibleText(visibleText);
	}

	/** Waits until the element shows a text that contains {@code text}, and returns it. */
	String awaitText(String css, String text) {
		return waitUntil((driver) -> {
			WebElement element = find(css);
			return element.isDisplayed() && element.getText().contains(text) ? element.getText() : null;
		});
	}

	/** The texts of one column of the kick history, newest first. */
	List<String> kickColumn(String cell) {
		return texts("#kick-rows > tr > td." + cell);
	}

	List<String> previewNames() {
		return texts("#preview-list > li > .name");
	}

	/**
	 * The texts of the elements {@code css} selects, read in one go: the page replaces these lists
	 * with every refresh, so elements found one call earlier may be gone by the next.
	 */
	@SuppressWarnings("unchecked")
	List<String> texts(String css) {
		return (List<String>) this.driver.executeScript(
				"return [...document.querySelectorAll(arguments[0])].map((element) => element.textContent)", css);
	}

	WebElement find(String css) {
		return this.driver.findElement(By.cssSelector(css));
	}

	<T> T waitUntil(Function<WebDriver, T> condition) {
		return new WebDriverWait(this.driver, ChatPage.TIMEOUT, ChatPage.POLL).withMessage(this::describe)
			.ignoring(StaleElementReferenceException.class)
			.until(condition);
	}

	/** What the console showed when a wait gave up. */
	private String describe() {
		List<String> results = texts(".result:not([hidden]), #preview-summary");
		List<String> audit = texts("#audit > li");
		return "status '%s', users %s, messages %s, kicks %s, audit %s".formatted(status(), users(), results,
				kickColumn("name"), audit);
	}

}
