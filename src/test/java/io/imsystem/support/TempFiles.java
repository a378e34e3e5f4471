package io.imsystem.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Clean-up of what a test put in the temp directory (a browser profile, a server's config and data). */
public final class TempFiles {

	private TempFiles() {
	}

	/** Deletes the directory and everything in it; what cannot be deleted is left, harmlessly. */
	public static void deleteQuietly(Path directory) {
		if (directory == null) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// Left in the temp directory: harmless.
		}
	}

}
