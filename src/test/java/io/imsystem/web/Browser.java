package io.imsystem.web;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One headless Debian Chromium, driven by Debian's chromedriver, with a fresh profile. Both paths
 * are given explicitly, so Selenium Manager is never asked to find (or download) a browser or a
 * driver.
 */
final class Browser implements AutoCloseable {

	static final Path CHROMIUM = Paths.get(System.getProperty("chromium.binary", "/usr/bin/chromium"));

	static final Path CHROMEDRIVER = Paths.get(System.getProperty("chromium.driver", "/usr/bin/chromedriver"));

	static final Dimension DESKTOP = new Dimension(1100, 720);

	static final Dimension PHONE = new Dimension(390, 844);

	private final Path profile;

	private final ChromeDriverService service;

	final ChromeDriver driver;

	private Browser(Dimension size, boolean phone) {
		try {
			this.profile = Files.createTempDirectory("chromium-profile-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
				"--user-data-dir=" + this.profile, "--window-size=" + size.width + "," + size.height, "--lang=en-US");
		if (phone) {
			// A headless window is at least 500 pixels wide; a phone is emulated instead.
			options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
					Map.of("width", size.width, "height", size.height, "pixelRatio", 1.0, "touch", true)));
		}
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.withLogOutput(OutputStream.nullOutputStream())
			.build();
		this.driver = new ChromeDriver(this.service, options);
		this.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
	}

	/**
	 * Skips the calling test when no Chromium is installed, except under {@code CI=true}, where a
	 * missing browser must fail the build rather than silently drop the browser tests.
	 */
	static void assumeInstalled() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		String missing = "no Chromium at " + CHROMIUM + " with chromedriver at " + CHROMEDRIVER;
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			assertTrue(installed, missing + " (.ci/run installs them)");
		}
		else {
			assumeTrue(installed, missing);
		}
	}

	static Browser desktop() {
		return new Browser(DESKTOP, false);
	}

	static Browser phone() {
		return new Browser(PHONE, true);
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			this.service.close();
			deleteQuietly(this.profile);
		}
	}

	private static void deleteQuietly(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// A profile left in the temp directory is harmless.
		}
	}

}
