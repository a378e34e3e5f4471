package io.imsystem.protocol;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8Tests {

	@ParameterizedTest
	@ValueSource(strings = { "", "hello", "\u0000\u007f", "é", "ß\u07ff", "字", "\u0800\uffff", "你好，世界", "😀",
			"\uD83D\uDC4D\uD83C\uDFFD", "👨‍👩‍👧", "a😀é字b", "{\"type\":\"chat\",\"text\":\"𝄞\"}" })
	void countsWhatJavaEncodesForWellFormedText(String text) {
		assertThat(Utf8.length(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
		assertThat(Utf8.lengthIfWellFormed(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
	}

	@Test
	void eachWidthCountsItsBytes() {
		assertThat(Utf8.length("a")).isEqualTo(1);
		assertThat(Utf8.length("é")).isEqualTo(2);
		assertThat(Utf8.length("字")).isEqualTo(3);
		assertThat(Utf8.length("😀")).isEqualTo(4);
	}

	/**
	 * A surrogate without its other half has no UTF-8 form: Java writes {@code ?} (1 byte) in its
	 * place. It counts 3 bytes, what its code unit would take, so the count never falls below what
	 * is written and a limit checked with it is never exceeded.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "\uD83D", "\uDE00", "a\uD83Db", "\uDE00\uD83D", "\uD83D\uD83D\uDE00" })
	void anUnpairedSurrogateCountsThreeBytesNeverLessThanJavaWrites(String text) {
		int unpaired = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1));
			if (paired) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				unpaired++;
			}
		}
		int written = text.getBytes(StandardCharsets.UTF_8).length;
		assertThat(Utf8.length(text)).isEqualTo(written + 2 * unpaired).isGreaterThanOrEqualTo(written);
		assertThat(Utf8.lengthIfWellFormed(text)).isEqualTo(-1);
	}

	@Test
	void wellFormedReplacesOnlyUnpairedSurrogatesAndKeepsWellFormedTextAsItIs() {
		String fine = "a😀é字";
		assertThat(Utf8.wellFormed(fine)).isSameAs(fine);
		assertThat(Utf8.wellFormed("a\uD83Db")).isEqualTo("a\uFFFDb");
		assertThat(Utf8.wellFormed("\uDE00\uD83D")).isEqualTo("\uFFFD\uFFFD");
		assertThat(Utf8.wellFormed("\uD83D\uD83D\uDE00")).isEqualTo("\uFFFD😀");
		assertThat(Utf8.wellFormed("😀\uDE00")).isEqualTo("😀\uFFFD");
		assertThat(Utf8.wellFormed(null)).isNull();
		String repaired = Utf8.wellFormed("x\uD800y\uDFFF");
		assertThat(new String(repaired.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(repaired);
	}

}
