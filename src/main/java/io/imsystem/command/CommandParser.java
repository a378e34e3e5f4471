package io.imsystem.command;

import io.imsystem.command.Command.Invalid;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.Utf8;
import io.imsystem.session.Names;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns one text frame into a {@link Command}. A frame whose first non-blank character is
 * {@code {} is JSON; any other frame is a line of the original IM system's grammar.
 */
public final class CommandParser {

	private static final Command WHO = new Command.Who();

	private static final Command PING = new Command.Ping();

	private static final Invalid BAD_JSON = new Invalid(ErrorCause.BAD_JSON, "frame is not a JSON object");

	private static final Invalid EMPTY_TEXT = new Invalid(ErrorCause.EMPTY_TEXT, "text is empty");

	private static final Invalid NO_RECIPIENT = new Invalid(ErrorCause.NO_RECIPIENT, "no recipient given");

	private static final Invalid INVALID_NAME = new Invalid(ErrorCause.INVALID_NAME, Names.RULE);

	private final JsonMapper json = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private final int maxTextLength;

	private final Invalid textTooLong;

	public CommandParser(int maxTextLength) {
		this.maxTextLength = maxTextLength;
		this.textTooLong = new Invalid(ErrorCause.TEXT_TOO_LONG, "text is longer than " + maxTextLength + " characters");
	}

	public Command parse(String frame) {
		return isJson(frame) ? parseJson(frame) : parseLine(stripLineEnd(frame));
	}

	private static boolean isJson(String frame) {
		for (int i = 0; i < frame.length(); i++) {
			char c = frame.charAt(i);
			if (!Character.isWhitespace(c)) {
				return c == '{';
			}
		}
		return false;
	}

	private Command parseJson(String frame) {
		JsonNode node;
		try {
			node = this.json.readTree(frame);
		}
		catch (JacksonException ex) {
			return BAD_JSON;
		}
		if (node == null || !node.isObject()) {
			return BAD_JSON;
		}
		JsonNode type = node.get("type");
		if (type == null || !type.isString()) {
			return new Invalid(ErrorCause.UNKNOWN_TYPE, "type is missing or not a string");
		}
		return switch (type.stringValue()) {
			case "chat" -> chat(string(node, "text"));
			case "private" -> privately(string(node, "to"), string(node, "text"));
			case "rename" -> rename(string(node, "name"));
			case "who" -> WHO;
			case "ping" -> PING;
			default -> new Invalid(ErrorCause.UNKNOWN_TYPE,
					"unknown type '" + abbreviate(Utf8.wellFormed(type.stringValue())) + "'");
		};
	}

	private Command parseLine(String line) {
		if (line.equals("who")) {
			return WHO;
		}
		if (line.startsWith("rename|")) {
			return rename(line.substring("rename|".length()));
		}
		if (line.startsWith("to|")) {
			String rest = line.substring("to|".length());
			int bar = rest.indexOf('|');
			// "to|bob" has no text: an empty private message, not a crash as in the original server.
			return (bar < 0) ? privately(rest, null) : privately(rest.substring(0, bar), rest.substring(bar + 1));
		}
		return chat(line);
	}

	private Command chat(String text) {
		String clean = clean(text);
		Invalid invalid = checkText(clean);
		return (invalid != null) ? invalid : new Command.Chat(clean);
	}

	private Command privately(String to, String text) {
		if (to == null || to.isBlank()) {
			return NO_RECIPIENT;
		}
		String clean = clean(text);
		Invalid invalid = checkText(clean);
		return (invalid != null) ? invalid : new Command.Private(to.strip(), clean);
	}

	/**
	 * Removes what would let a message disguise itself or others: control characters (but tab and
	 * newline) and the bidirectional embedding, override and isolate controls, which can reverse
	 * the text that follows them on the reader's screen. Joiners stay: emoji sequences need them.
	 */
	static String clean(String text) {
		if (text == null) {
			return null;
		}
		int i = 0;
		while (i < text.length() && !isUnwanted(text.charAt(i))) {
			i++;
		}
		if (i == text.length()) {
			return text;
		}
		StringBuilder cleaned = new StringBuilder(text.length());
		for (int j = 0; j < text.length(); j++) {
			char c = text.charAt(j);
			if (!isUnwanted(c)) {
				cleaned.append(c);
			}
		}
		return cleaned.toString();
	}

	private static boolean isUnwanted(char c) {
		if (c < 0x20) {
			return c != '\t' && c != '\n';
		}
		return (c >= 0x7f && c <= 0x9f) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
	}

	private static Command rename(String requested) {
		String name = Names.normalize(requested);
		return (name != null) ? new Command.Rename(name) : INVALID_NAME;
	}

	private Invalid checkText(String text) {
		if (text == null || text.isBlank()) {
			return EMPTY_TEXT;
		}
		if (text.length() > this.maxTextLength && text.codePointCount(0, text.length()) > this.maxTextLength) {
			return this.textTooLong;
		}
		return null;
	}

	private static String string(JsonNode object, String field) {
		JsonNode value = object.get(field);
		// A JSON escape can make a lone surrogate, which could be sent to no one.
		return (value != null && value.isString()) ? Utf8.wellFormed(value.stringValue()) : null;
	}

	private static String stripLineEnd(String frame) {
		int end = frame.length();
		while (end > 0 && (frame.charAt(end - 1) == '\n' || frame.charAt(end - 1) == '\r')) {
			end--;
		}
		return frame.substring(0, end);
	}

	private static String abbreviate(String value) {
		// By code points: a cut inside a surrogate pair would leave half of it.
		return (value.codePointCount(0, value.length()) <= 32) ? value
				: value.substring(0, value.offsetByCodePoints(0, 32)) + "…";
	}

}
