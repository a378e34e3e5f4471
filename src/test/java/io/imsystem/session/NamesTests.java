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
	@ValueSource(strings = { "alice", "Bob_2", "a-b.c", "_", ".", "-", "9", "张伟", "Ελένη", "Дмитрий", "محمد", "שרה",
			"さくら", "김민준", "दीपक", "٣٤٥", "१२३", "e\u0301", "Ångström", "straße" })
	void lettersMarksAndDigitsOfAnyScriptAreAllowed(String name) {
		assertThat(Names.normalize(name)).isEqualTo(name);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "a b", "a\u00A0b", "a\u3000b", "a|b", "|", "a\u0000b", "a\u0007b", "a\nb",
			"a\u007Fb", "a\u200Bb", "\u200B", "a\u200Db", "a\uFEFFb", "a\u202Eb", "\u202Eevil", "a\u2066b", "a@b", "a/b",
			"a:b", "a!b", "<b>", "a+b", "\uD83D\uDE00", "x\u00B2", "\u216B", "a\uD800b" })
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

}
