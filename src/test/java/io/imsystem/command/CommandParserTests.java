package io.imsystem.command;

import io.imsystem.command.Command.Invalid;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class CommandParserTests {

	private static final int MAX_TEXT = 20;

	private final CommandParser parser = new CommandParser(MAX_TEXT);

	// JSON grammar

	@Test
	void jsonChat() {
		assertThat(this.parser.parse("{\"type\":\"chat\",\"text\":\"hi\"}")).isEqualTo(new Command.Chat("hi"));
	}

	@Test
	void jsonWithLeadingAndTrailingWhitespaceIsStillJson() {
		assertThat(this.parser.parse(" \t\r\n{\"type\":\"chat\",\"text\":\"hi\"}\r\n"))
			.isEqualTo(new Command.Chat("hi"));
	}

	@Test
	void jsonPrivate() {
		assertThat(this.parser.parse("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"hi\"}"))
			.isEqualTo(new Command.Private("bob", "hi"));
	}

	@Test
	void jsonRenameIsTrimmed() {
		assertThat(this.parser.parse("{\"type\":\"rename\",\"name\":\" bob \"}")).isEqualTo(new Command.Rename("bob"));
	}

	@Test
	void jsonWhoAndPing() {
		assertThat(this.parser.parse("{\"type\":\"who\"}")).isEqualTo(new Command.Who());
		assertThat(this.parser.parse("{\"type\":\"ping\"}")).isEqualTo(new Command.Ping());
	}

	@Test
	void pingIsTheOnlyCommandThatIsNotActivity() {
		assertThat(this.parser.parse("{\"type\":\"ping\"}").isActivity()).isFalse();
		assertThat(this.parser.parse("{\"type\":\"who\"}").isActivity()).isTrue();
		assertThat(this.parser.parse("hello").isActivity()).isTrue();
		assertThat(this.parser.parse("{\"type\":\"nope\"}").isActivity()).isTrue();
		assertThat(this.parser.parse("{").isActivity()).isTrue();
	}

	@Test
	void unknownFieldsAreIgnored() {
		assertThat(this.parser.parse("{\"type\":\"chat\",\"text\":\"hi\",\"id\":7}")).isEqualTo(new Command.Chat("hi"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "{", "{\"type\":\"chat\"", "{type:\"chat\"}", "{\"type\":\"chat\",\"text\":\"hi\"} x",
			"{\"type\":\"chat\",\"text\":\"hi\"}{}", "{\"type\":\"chat\",\"text\":\"hi\"} 1", " {]" })
	void unparseableJsonIsBadJson(String frame) {
		assertInvalid(frame, ErrorCode.BAD_JSON);
	}

	@Test
	void jsonThatIsNotAnObjectIsBadJsonOrText() {
		// Only a frame that starts with '{' is JSON: an array or a number is a chat line.
		assertThat(this.parser.parse("[1]")).isEqualTo(new Command.Chat("[1]"));
		assertThat(this.parser.parse("42")).isEqualTo(new Command.Chat("42"));
		assertInvalid("{} []", ErrorCode.BAD_JSON);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"text\":\"hi\"}", "{\"type\":null}", "{\"type\":1}", "{\"type\":true}",
			"{\"type\":[\"chat\"]}", "{\"type\":{\"name\":\"chat\"}}", "{\"type\":\"CHAT\",\"text\":\"hi\"}",
			"{\"type\":\"shout\",\"text\":\"hi\"}", "{\"type\":\"\"}" })
	void missingNonStringOrUnknownTypeIsUnknownType(String frame) {
		assertInvalid(frame, ErrorCode.UNKNOWN_TYPE);
	}

	@Test
	void unknownTypeMessageIsAbbreviated() {
		String type = "x".repeat(500);
		Invalid invalid = (Invalid) this.parser.parse("{\"type\":\"" + type + "\"}");
		assertThat(invalid.message()).hasSizeLessThan(100);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"type\":\"chat\"}", "{\"type\":\"chat\",\"text\":null}", "{\"type\":\"chat\",\"text\":\"\"}",
			"{\"type\":\"chat\",\"text\":\"   \"}", "{\"type\":\"chat\",\"text\":\"\\n\\t\"}", "{\"type\":\"chat\",\"text\":5}",
			"{\"type\":\"private\",\"to\":\"bob\"}", "{\"type\":\"private\",\"to\":\"bob\",\"text\":\" \"}" })
	void missingOrBlankTextIsEmptyText(String frame) {
		assertInvalid(frame, ErrorCode.EMPTY_TEXT);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"type\":\"private\",\"text\":\"hi\"}", "{\"type\":\"private\",\"to\":\"\",\"text\":\"hi\"}",
			"{\"type\":\"private\",\"to\":\"  \",\"text\":\"hi\"}", "{\"type\":\"private\",\"to\":7,\"text\":\"hi\"}",
			"{\"type\":\"private\"}" })
	void missingRecipientIsUnknownUser(String frame) {
		assertInvalid(frame, ErrorCode.UNKNOWN_USER);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"type\":\"rename\"}", "{\"type\":\"rename\",\"name\":null}",
			"{\"type\":\"rename\",\"name\":\"\"}", "{\"type\":\"rename\",\"name\":\"a b\"}",
			"{\"type\":\"rename\",\"name\":\"a|b\"}", "{\"type\":\"rename\",\"name\":42}" })
	void missingOrBadNameIsInvalidName(String frame) {
		assertInvalid(frame, ErrorCode.INVALID_NAME);
	}

	@Test
	void textLimitCountsCodePoints() {
		assertThat(this.parser.parse("{\"type\":\"chat\",\"text\":\"" + "a".repeat(MAX_TEXT) + "\"}"))
			.isEqualTo(new Command.Chat("a".repeat(MAX_TEXT)));
		assertInvalid("{\"type\":\"chat\",\"text\":\"" + "a".repeat(MAX_TEXT + 1) + "\"}", ErrorCode.TEXT_TOO_LONG);
		// Twenty emoji are forty UTF-16 chars but twenty characters: within the limit.
		String emoji = "\uD83D\uDE00".repeat(MAX_TEXT);
		assertThat(this.parser.parse(emoji)).isEqualTo(new Command.Chat(emoji));
		assertInvalid(emoji + "\uD83D\uDE00", ErrorCode.TEXT_TOO_LONG);
		assertInvalid("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"" + "字".repeat(MAX_TEXT + 1) + "\"}",
				ErrorCode.TEXT_TOO_LONG);
		assertInvalid("to|bob|" + "b".repeat(MAX_TEXT + 1), ErrorCode.TEXT_TOO_LONG);
	}

	// Text grammar

	@Test
	void whoLine() {
		assertThat(this.parser.parse("who")).isEqualTo(new Command.Who());
	}

	@Test
	void renameLine() {
		assertThat(this.parser.parse("rename|bob")).isEqualTo(new Command.Rename("bob"));
		assertThat(this.parser.parse("rename| bob ")).isEqualTo(new Command.Rename("bob"));
	}

	@Test
	void renameLineWithNoNameIsInvalidName() {
		assertInvalid("rename|", ErrorCode.INVALID_NAME);
		assertInvalid("rename|   ", ErrorCode.INVALID_NAME);
		assertInvalid("rename|a|b", ErrorCode.INVALID_NAME);
	}

	@Test
	void privateLine() {
		assertThat(this.parser.parse("to|bob|hi there")).isEqualTo(new Command.Private("bob", "hi there"));
	}

	@Test
	void privateLineTextMayContainBars() {
		assertThat(this.parser.parse("to|bob|a|b||c|")).isEqualTo(new Command.Private("bob", "a|b||c|"));
	}

	@Test
	void privateLineWithoutSecondBarIsEmptyText() {
		assertInvalid("to|bob", ErrorCode.EMPTY_TEXT);
		assertInvalid("to|bob|", ErrorCode.EMPTY_TEXT);
	}

	@Test
	void privateLineWithoutRecipientIsUnknownUser() {
		assertInvalid("to||hi", ErrorCode.UNKNOWN_USER);
		assertInvalid("to|", ErrorCode.UNKNOWN_USER);
		assertThat(((Invalid) this.parser.parse("to||hi")).cause()).isEqualTo(ErrorCause.NO_RECIPIENT);
	}

	@Test
	void anyOtherLineIsChat() {
		assertThat(this.parser.parse("hello world")).isEqualTo(new Command.Chat("hello world"));
		assertThat(this.parser.parse("Who")).isEqualTo(new Command.Chat("Who"));
		assertThat(this.parser.parse(" who")).isEqualTo(new Command.Chat(" who"));
		assertThat(this.parser.parse("who|")).isEqualTo(new Command.Chat("who|"));
		assertThat(this.parser.parse("rename")).isEqualTo(new Command.Chat("rename"));
		assertThat(this.parser.parse("to")).isEqualTo(new Command.Chat("to"));
		assertThat(this.parser.parse("x{\"type\":\"who\"}")).isEqualTo(new Command.Chat("x{\"type\":\"who\"}"));
		assertThat(this.parser.parse("你好")).isEqualTo(new Command.Chat("你好"));
	}

	@Test
	void blankLineIsEmptyText() {
		assertInvalid("", ErrorCode.EMPTY_TEXT);
		assertInvalid("   ", ErrorCode.EMPTY_TEXT);
		assertInvalid("\r\n", ErrorCode.EMPTY_TEXT);
	}

	@Test
	void allTrailingLineEndsAreStripped() {
		assertThat(this.parser.parse("who\r\n")).isEqualTo(new Command.Who());
		assertThat(this.parser.parse("who\n\r\n\r")).isEqualTo(new Command.Who());
		assertThat(this.parser.parse("rename|bob\r\n")).isEqualTo(new Command.Rename("bob"));
		assertThat(this.parser.parse("to|bob|hi\r\n\r\n")).isEqualTo(new Command.Private("bob", "hi"));
		assertThat(this.parser.parse("hello\n")).isEqualTo(new Command.Chat("hello"));
		assertThat(this.parser.parse("line one\nline two\r\n")).isEqualTo(new Command.Chat("line one\nline two"));
	}

	@Test
	void lineEndsAreNotCountedInTheTextLimit() {
		String text = "a".repeat(MAX_TEXT);
		assertThat(this.parser.parse(text + "\r\n")).isEqualTo(new Command.Chat(text));
	}

	private void assertInvalid(String frame, ErrorCode code) {
		Command command = this.parser.parse(frame);
		assertThat(command).as("parse of %s", frame).isInstanceOf(Invalid.class);
		Invalid invalid = (Invalid) command;
		assertThat(invalid.code()).as("error code for %s", frame).isEqualTo(code);
		assertThat(invalid.message()).isNotBlank();
	}

	@Test
	void aLoneSurrogateSpelledInJsonBecomesAReplacementCharacter() {
		assertThat(this.parser.parse("{\"type\":\"chat\",\"text\":\"a\\ud800b\"}")).isEqualTo(new Command.Chat("a\uFFFDb"));
		assertThat(this.parser.parse("{\"type\":\"private\",\"to\":\"b\\udc00\",\"text\":\"\\ud83d\\ude00\"}"))
			.isEqualTo(new Command.Private("b\uFFFD", "😀"));
		Invalid unknown = (Invalid) this.parser.parse("{\"type\":\"" + "t".repeat(31) + "😀😀\"}");
		assertThat(unknown.message()).contains("t".repeat(31) + "😀…");
	}

}
