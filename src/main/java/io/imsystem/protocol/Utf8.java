package io.imsystem.protocol;

/** UTF-8 sizes without encoding: frame limits count bytes, not characters. */
public final class Utf8 {

	/** What stands in for text that has no UTF-8 form, as a decoder shows malformed input. */
	public static final char REPLACEMENT = '\uFFFD';

	private Utf8() {
	}

	/**
	 * {@code text} with each unpaired surrogate replaced by {@link #REPLACEMENT}; {@code text}
	 * itself when it has none (the usual case, with no copy). JSON can spell a lone surrogate (an
	 * escape such as backslash-u-d800), but UTF-8 cannot encode one: the WebSocket container refuses
	 * to send such a string, and {@code getBytes} writes {@code ?}.
	 */
	public static String wellFormed(String text) {
		if (text == null) {
			return null;
		}
		StringBuilder repaired = null;
		int length = text.length();
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (!Character.isSurrogate(c)) {
				continue;
			}
			if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
				continue;
			}
			if (repaired == null) {
				repaired = new StringBuilder(text);
			}
			repaired.setCharAt(i, REPLACEMENT);
		}
		return (repaired != null) ? repaired.toString() : text;
	}

	/**
	 * The number of bytes {@code text} takes in UTF-8, or -1 if it holds an unpaired surrogate,
	 * which has none: the size and the check in the one pass that encoding needs anyway.
	 */
	public static int lengthIfWellFormed(CharSequence text) {
		return count(text, true);
	}

	/**
	 * The number of bytes {@code text} takes in UTF-8. An unpaired surrogate counts 3, what its code
	 * unit would take: never less than what is written in its place.
	 */
	public static int length(CharSequence text) {
		return count(text, false);
	}

	/** One loop for both: they differ only on an unpaired surrogate (-1, or 3 bytes). */
	private static int count(CharSequence text, boolean strict) {
		int bytes = 0;
		int length = text.length();
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				bytes += 1;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (!Character.isSurrogate(c)) {
				bytes += 3;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
				bytes += 4;
				i++;
			}
			else if (strict) {
				return -1;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}
