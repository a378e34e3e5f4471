package io.imsystem.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;

/**
 * Saves screenshots for the documentation, only when asked to with {@code -Dscreenshots.dir=...}
 * (see docs/screenshots/README.md): an ordinary test run leaves the working tree alone.
 */
final class Screenshots {

	private Screenshots() {
	}

	static void save(TakesScreenshot browser, String name) {
		String directory = System.getProperty("screenshots.dir");
		if (directory == null || directory.isBlank()) {
			return;
		}
		try {
			Path target = Paths.get(directory).resolve(name + ".png");
			Files.createDirectories(target.getParent());
			Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
