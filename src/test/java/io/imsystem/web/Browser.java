package io.imsystem.web;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.imsystem.support.TempFiles;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One headless Debian Chromium, driven by Debian's chromedriver, with a fresh profile. Both paths
 * are given explicitly, so Selenium Manager is never asked to find (or download) a browser or a
 * driver. Without them the browser tests are skipped, and fail under {@code CI=true}
 * ({@link #assumeInstalled()}).
 */
final class Browser implements AutoCloseable {

	/** Debian's, unless the system property {@code chromium.binary} or the variable CHROMIUM says otherwise. */
	static final Path CHROMIUM = location("chromium.binary", "CHROMIUM", "/usr/bin/chromium");

	/** Debian's, unless {@code chromium.driver} or CHROMEDRIVER says otherwise. */
	static final Path CHROMEDRIVER = location("chromium.driver", "CHROMEDRIVER", "/usr/bin/chromedriver");

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

	/** What Debian calls the browser, its driver and the CJK font the default kick message needs. */
	static final String DEBIAN_PACKAGES = "chromium chromium-driver fonts-wqy-microhei";

	/**
	 * Fails the calling test class under {@code CI=true} when no Chromium is installed: CI must not
	 * silently drop the browser tests. Elsewhere such a class is skipped before it starts
	 * ({@link BrowserInstalled}); this assumption is the second line for a class that forgot it.
	 * Call it from a static {@code @BeforeAll}, so that no per-test setup or teardown runs without it.
	 */
	static void assumeInstalled() {
		if (isCi()) {
			assertTrue(isInstalled(), missing() + "; CI=true runs the browser tests, .ci/run installs them");
		}
		else {
			assumeTrue(isInstalled(), missing());
		}
	}

	static boolean isInstalled() {
		return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
	}

	static boolean isCi() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	static String missing() {
		return "Browser tests need Chromium at " + CHROMIUM + " and chromedriver at " + CHROMEDRIVER
				+ " (on Debian: apt-get install " + DEBIAN_PACKAGES + ")";
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
			TempFiles.deleteQuietly(this.profile);
		}
	}

	private static Path location(String property, String variable, String debian) {
		String env = System.getenv(variable);
		return Paths.get(System.getProperty(property, (env != null && !env.isBlank()) ? env : debian));
	}


}
