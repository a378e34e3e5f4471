package io.imsystem.protocol;

/** UTF-8 sizes without encoding: frame limits count bytes, not characters. */
public final class Utf8 {

	private Utf8() {
	}

	/** The number of bytes {@code text} takes in UTF-8. */
	public static int length(CharSequence text) {
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
			else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
				bytes += 4;
				i++;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}
