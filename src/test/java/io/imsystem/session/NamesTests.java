package io.imsystem.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class NamesTests {

	@Test
	void trimsFirst() {
		assertThat(Names.normalize(" bob ")).isEqualTo("bob");
		assertThat(Names.normalize("\tbob\r\n")).isEqualTo("bob");
	}

	@ParameterizedTest
	@ValueSource(strings = { "alice", "Bob_2", "a-b.c", "_", "-", "9", "a.", "...a", "_.", "张伟", "Ελένη", "Дмитрий", "محمد", "שרה",
			"さくら", "김민준", "दीपक", "٣٤٥", "१२३", "Ångström", "straße", "\u00E9" })
	void lettersMarksAndDigitsOfAnyScriptAreAllowed(String name) {
		assertThat(Names.normalize(name)).isEqualTo(name);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "a b", "a\u00A0b", "a\u3000b", "a|b", "|", "a\u0000b", "a\u0007b", "a\nb",
			"a\u007Fb", "a\u200Bb", "\u200B", "a\u200Db", "a\uFEFFb", "a\u202Eb", "\u202Eevil", "a\u2066b", "a@b", "a/b",
			"a:b", "a!b", "<b>", "a+b", "\uD83D\uDE00", "x\u00B2", "\u216B", "a\uD800b", ".", "..", "...", " .. ", "\u0301", "\u3164", "\u115F", "\u1160", "\uFFA0", "\u2800",
			"a\u3164", "\u3164\u3164", "a\u034Fb", "a\u180Bb", "a\uFE0Fb", "\u17B4" })
	void everythingElseIsRefused(String name) {
		assertThat(Names.normalize(name)).as("normalize(%s)", name).isNull();
	}

	@Test
	void nullIsRefused() {
		assertThat(Names.normalize(null)).isNull();
	}

	@Test
	void lengthIsOneToThirtyTwoCodePointsAfterTrimming() {
		assertThat(Names.normalize("a".repeat(32))).isEqualTo("a".repeat(32));
		assertThat(Names.normalize("  " + "a".repeat(32) + "  ")).isEqualTo("a".repeat(32));
		assertThat(Names.normalize("a".repeat(33))).isNull();
		// 32 letters outside the BMP are 64 UTF-16 chars, still 32 characters.
		String script = "\uD835\uDC9C".repeat(32);
		assertThat(Names.normalize(script)).isEqualTo(script);
		assertThat(Names.normalize(script + "\uD835\uDC9C")).isNull();
		assertThat(Names.normalize("字".repeat(32))).isEqualTo("字".repeat(32));
		assertThat(Names.normalize("字".repeat(33))).isNull();
	}

	@Test
	void keyIsCaseInsensitive() {
		assertThat(Names.key("Alice")).isEqualTo(Names.key("alice")).isEqualTo(Names.key("ALICE"));
		assertThat(Names.key("ΕΛΈΝΗ")).isEqualTo(Names.key("ελένη"));
		assertThat(Names.key("ДМИТРИЙ")).isEqualTo(Names.key("дмитрий"));
		assertThat(Names.key("alice")).isNotEqualTo(Names.key("alicia"));
	}

	@Test
	void keyFoldsSharpS() {
		assertThat(Names.key("straße")).isEqualTo(Names.key("STRASSE")).isEqualTo(Names.key("strasse"));
		assertThat(Names.key("STRAẞE")).isEqualTo(Names.key("strasse"));
	}

	@Test
	void dotsAloneAreNoNameSinceAPathWouldReadThemAsDotSegments() {
		assertThat(Names.normalize("..")).isNull();
		assertThat(Names.normalize(".")).isNull();
		assertThat(Names.normalize("a..")).isEqualTo("a..");
	}

	@Test
	void namesAreNfcNormalized() {
		assertThat(Names.normalize("a\u0308")).isEqualTo("\u00E4");
		assertThat(Names.normalize("A\u030Angstro\u0308m")).isEqualTo("\u00C5ngstr\u00F6m");
		assertThat(Names.key("a\u0308")).isEqualTo(Names.key("\u00E4"));
	}

	@Test
	void fullwidthAndHalfwidthFormsAreMappedToTheirOrdinaryForms() {
		assertThat(Names.normalize("\uFF41\uFF4C\uFF49\uFF43\uFF45")).isEqualTo("alice");
		assertThat(Names.normalize("\uFF21\uFF2C\uFF29\uFF23\uFF25")).isEqualTo("ALICE");
		// Halfwidth katakana to the ordinary (fullwidth) katakana.
		assertThat(Names.normalize("\uFF76\uFF80")).isEqualTo("\u30AB\u30BF");
		assertThat(Names.key("\uFF41\uFF4C\uFF49\uFF43\uFF45")).isEqualTo(Names.key("alice"));
	}

	@Test
	void lookAlikeLettersOfAnotherScriptHaveTheSameKey() {
		assertThat(Names.key("\u0430dmin")).isEqualTo(Names.key("admin"));
		assertThat(Names.key("\u0430DMIN")).isEqualTo(Names.key("Admin"));
		assertThat(Names.key("p\u0430yp\u0430l")).isEqualTo(Names.key("paypal"));
		assertThat(Names.key("\u0391lice")).isEqualTo(Names.key("alice"));
		assertThat(Names.key("bob")).isNotEqualTo(Names.key("rob"));
		assertThat(Names.key("\u0431\u043E\u0431")).isNotEqualTo(Names.key("bob"));
	}

	@Test
	void normalizedNamesKeepTheirKey() {
		for (String name : new String[] { "alice", "\u5F20\u4F1F", "\u0395\u03BB\u03AD\u03BD\u03B7", "stra\u00DFe", "e\u0301" }) {
			assertThat(Names.key(Names.normalize(name))).as(name).isEqualTo(Names.key(name));
		}
	}

}
