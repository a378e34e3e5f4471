package io.imsystem.session;

import java.util.Locale;

/**
 * The contract's rules for names a client asks for: 1 to 32 code points after trimming; letters,
 * combining marks and decimal digits of any script, plus {@code _ - .}. Names the server gives
 * (generated names, TCP addresses) are exempt.
 */
public final class Names {

	public static final int MAX_CODE_POINTS = 32;

	public static final String RULE = "a name is 1 to 32 letters, digits, '_', '-' or '.'";

	private Names() {
	}

	/**
	 * The name a client asked for, trimmed, or {@code null} if it breaks the rules.
	 */
	public static String normalize(String requested) {
		if (requested == null) {
			return null;
		}
		String name = requested.strip();
		int count = name.codePointCount(0, name.length());
		if (count < 1 || count > MAX_CODE_POINTS) {
			return null;
		}
		return name.codePoints().allMatch(Names::isAllowed) ? name : null;
	}

	/**
	 * The key under which a name is unique: two names with the same key are the same name. Upper
	 * then lower case folds the cases that a plain lower-casing misses (for example {@code ß} and
	 * {@code SS}); lower-casing first makes capital {@code ẞ}, which upper-casing keeps, fold the
	 * same way.
	 */
	public static String key(String name) {
		return name.toLowerCase(Locale.ROOT).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
	}

	private static boolean isAllowed(int codePoint) {
		return switch (Character.getType(codePoint)) {
			case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
					Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
					Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER ->
				true;
			default -> codePoint == '_' || codePoint == '-' || codePoint == '.';
		};
	}

}
