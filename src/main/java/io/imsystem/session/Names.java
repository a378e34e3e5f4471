package io.imsystem.session;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacter.DecompositionType;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;

/**
 * The contract's rules for names a client asks for: trimmed, fullwidth and halfwidth forms mapped
 * to their ordinary forms and NFC-normalized (the preparation of RFC 8265's UsernameCaseMapped
 * profile, keeping the case for display); then 1 to 32 code points; letters, combining marks and
 * decimal digits of any script, plus {@code _ - .}; at least one of them a letter, a digit,
 * {@code _} or {@code -}, so that no name is only dots (which a URL path would read as {@code .}
 * or {@code ..}) or only marks; and no default-ignorable code point (the Hangul fillers and other
 * letters that draw nothing). Names the server gives (generated names, TCP addresses) are exempt.
 */
public final class Names {

	public static final int MAX_CODE_POINTS = 32;

	public static final String RULE = "a name is 1 to 32 letters, digits, '_', '-' or '.', and not only dots";

	private static final Normalizer2 NFC = Normalizer2.getNFCInstance();

	private static final Normalizer2 NFKD = Normalizer2.getNFKDInstance();

	/** Thread-safe once built: ICU documents getSkeleton as safe to call from many threads. */
	private static final SpoofChecker SPOOF_CHECKER = new SpoofChecker.Builder().build();

	private Names() {
	}

	/**
	 * The name a client asked for, trimmed, width-mapped and NFC-normalized, or {@code null} if it
	 * breaks the rules. The result is the name that is displayed.
	 */
	public static String normalize(String requested) {
		if (requested == null) {
			return null;
		}
		String name = prepare(requested.strip());
		int count = name.codePointCount(0, name.length());
		if (count < 1 || count > MAX_CODE_POINTS) {
			return null;
		}
		boolean visible = false;
		for (int i = 0; i < name.length();) {
			int codePoint = name.codePointAt(i);
			if (!isAllowed(codePoint) || UCharacter.hasBinaryProperty(codePoint, UProperty.DEFAULT_IGNORABLE_CODE_POINT)) {
				return null;
			}
			visible |= codePoint != '.' && !isMark(codePoint);
			i += Character.charCount(codePoint);
		}
		return visible ? name : null;
	}

	/**
	 * The key under which a name is unique: two names with the same key are the same name. It is
	 * the confusable skeleton (Unicode TR 39) of the case-folded, NFC-normalized name, so that names
	 * that differ only in case ({@code ß} and {@code SS} included), in their normalization form or
	 * in look-alike letters of another script ({@code аdmin} with a Cyrillic {@code а}) are one
	 * name. Computed on join, rename and lookups, never per message.
	 */
	public static String key(String name) {
		return SPOOF_CHECKER.getSkeleton(UCharacter.foldCase(prepare(name), true));
	}

	/** Fullwidth and halfwidth forms to their ordinary forms (RFC 8265's width mapping), then NFC. */
	private static String prepare(String name) {
		StringBuilder mapped = null;
		for (int i = 0; i < name.length();) {
			int codePoint = name.codePointAt(i);
			int type = UCharacter.getIntPropertyValue(codePoint, UProperty.DECOMPOSITION_TYPE);
			String decomposition = (type == DecompositionType.WIDE || type == DecompositionType.NARROW)
					? NFKD.getDecomposition(codePoint) : null;
			if (decomposition != null && mapped == null) {
				mapped = new StringBuilder(name.length()).append(name, 0, i);
			}
			if (mapped != null) {
				if (decomposition != null) {
					mapped.append(decomposition);
				}
				else {
					mapped.appendCodePoint(codePoint);
				}
			}
			i += Character.charCount(codePoint);
		}
		return NFC.normalize((mapped != null) ? mapped : name);
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

	private static boolean isMark(int codePoint) {
		int type = Character.getType(codePoint);
		return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
				|| type == Character.COMBINING_SPACING_MARK;
	}

}
