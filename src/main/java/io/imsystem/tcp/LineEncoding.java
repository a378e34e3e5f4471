package io.imsystem.tcp;

import java.nio.charset.StandardCharsets;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;

/**
 * Events as the original IM system's text lines, in UTF-8: what {@code nc} users read. Every line
 * ends with {@code \n}. Events the original had no line for, and that a line user does not need,
 * encode to no bytes: {@code welcome} (the own join line follows at once), {@code presence}
 * renames (the original told nobody), and a sender's own copy of its private message (filtered by
 * {@link TcpConnection}, since an envelope's encoding is shared by all recipients).
 * <p>
 * Line users see each other's addresses, {@code [127.0.0.1:44756]alice:...}, as in the original; a
 * user whose address is not shown ({@code null} in the event: every WebSocket user) appears as
 * {@code [web]alice:...}, so no line ever carries a WebSocket user's address.
 * <p>
 * Names, texts and addresses never break a line: line breaks and other control characters in them
 * become spaces, so a WebSocket user cannot forge lines or terminal escapes for line users.
 */
final class LineEncoding implements Envelope.Encoding<byte[]> {

	static final LineEncoding INSTANCE = new LineEncoding();

	/** The encoding of an event that has no line. */
	static final byte[] NONE = new byte[0];

	// The original server's exact words, punctuation included (halfwidth ':' after a name, fullwidth
	// '，' and '。' inside sentences). "不不" is the original's typo, kept for its users' scripts.
	static final String JOINED = "已上线";

	static final String LEFT = "下线";

	static final String LISTED = "在线...";

	static final String RENAMED = "您已经更新用户名:";

	static final String SAYS_TO_YOU = "对您说:";

	static final String NAME_TAKEN = "当前用户名被使用";

	static final String BAD_PRIVATE_FORMAT = "消息格式不正确，请使用 \"to|张三|你好啊\"格式。";

	static final String UNKNOWN_USER = "该用户名不不存在";

	static final String EMPTY_TEXT = "无消息内容，请重发";

	// Lines the original did not have, in its style.
	static final String INVALID_NAME = "用户名不合法：须为 1 到 32 个字母、数字、_、- 或 .";

	static final String TEXT_TOO_LONG = "消息太长，请缩短后重发";

	static final String RATE_LIMITED = "发送太快，消息已被丢弃";

	static final String UNAVAILABLE = "服务暂时不可用，请稍后再试";

	static final String BAD_JSON = "消息格式不正确：以 { 开头的行须是 JSON 对象";

	static final String UNKNOWN_TYPE = "消息格式不正确：未知的 JSON 消息类型";

	/** Stands in the address's place for a user whose address is not shown: WebSocket users. */
	static final String HIDDEN_ADDRESS = "web";

	private LineEncoding() {
	}

	@Override
	public int slot() {
		return 1;
	}

	@Override
	public byte[] encode(ServerEvent event) {
		String text = render(event);
		return (text != null) ? text.getBytes(StandardCharsets.UTF_8) : NONE;
	}

	/** The line or lines for an event, each ending with {@code \n}, or {@code null} for none. */
	static String render(ServerEvent event) {
		// Java 17 has no pattern switch; the chain below covers every permitted ServerEvent.
		if (event instanceof ServerEvent.Presence presence) {
			return switch (presence.event()) {
				case "join" -> userLine(presence.address(), presence.name(), JOINED);
				case "leave" -> userLine(presence.address(), presence.name(), LEFT);
				default -> null;
			};
		}
		if (event instanceof ServerEvent.PresenceBatch batch) {
			// Each change as its own original line, exactly as its version-1 frame renders: the
			// original sent them one by one, and line users' scripts read them that way.
			StringBuilder lines = new StringBuilder();
			for (PresenceChange change : batch.changes()) {
				String line = render(change.toEvent(batch.online(), batch.ts()));
				if (line != null) {
					lines.append(line);
				}
			}
			return (lines.length() > 0) ? lines.toString() : null;
		}
		if (event instanceof ServerEvent.PresenceCount) {
			// The original had no line for a count; line users ask with who.
			return null;
		}
		if (event instanceof ServerEvent.Chat chat) {
			return userLine(chat.fromAddress(), chat.from(), chat.text());
		}
		if (event instanceof ServerEvent.Chats chats) {
			// Each part's line, rendered here rather than through the part's envelope: only the run
			// is sent to line users, so a part's own line would be cached for nobody, and a run
			// encoded through its parts' envelopes made that per-recipient method's compiled code
			// ten times larger (the first burst after a warm-up compiled it for 160 ms).
			StringBuilder lines = new StringBuilder();
			for (Envelope part : chats.parts()) {
				lines.append(render(part.event()));
			}
			return lines.toString();
		}
		if (event instanceof ServerEvent.Private message) {
			return line(clean(message.from()) + SAYS_TO_YOU + clean(message.text()));
		}
		if (event instanceof ServerEvent.Users users) {
			StringBuilder lines = new StringBuilder();
			for (ServerEvent.Users.User user : users.users()) {
				lines.append(userLine(user.address(), user.name(), LISTED));
			}
			return (lines.length() > 0) ? lines.toString() : null;
		}
		if (event instanceof ServerEvent.Renamed renamed) {
			return line(RENAMED + clean(renamed.name()));
		}
		if (event instanceof ServerEvent.Kicked kicked) {
			// Line users read Chinese: the shutdown kick gets its own line, whoever stops the server.
			return line((kicked.reason() == LeaveReason.SHUTDOWN) ? TcpGateway.SHUTDOWN_MESSAGE : clean(kicked.message()));
		}
		if (event instanceof ServerEvent.IdleWarning warning) {
			return line("你已长时间未发言，" + warning.secondsLeft() + "秒后将被踢出");
		}
		if (event instanceof ServerEvent.Error error) {
			return line(errorText(error));
		}
		if (event instanceof ServerEvent.Pong) {
			return line("pong");
		}
		if (event instanceof ServerEvent.Welcome) {
			return null;
		}
		throw new IllegalArgumentException("no line rule for " + event);
	}

	private static String errorText(ServerEvent.Error error) {
		return switch (error.cause()) {
			case BAD_JSON -> BAD_JSON;
			case UNKNOWN_TYPE -> UNKNOWN_TYPE;
			case EMPTY_TEXT -> EMPTY_TEXT;
			case TEXT_TOO_LONG -> TEXT_TOO_LONG;
			case UNKNOWN_USER -> UNKNOWN_USER;
			case NO_RECIPIENT -> BAD_PRIVATE_FORMAT;
			case NAME_TAKEN -> NAME_TAKEN;
			case INVALID_NAME -> INVALID_NAME;
			case RATE_LIMITED -> RATE_LIMITED;
			case UNAVAILABLE -> UNAVAILABLE;
		};
	}

	/** The original's {@code [<addr>]<name>:<text>} line; {@code address} is the shown one, or null. */
	private static String userLine(String address, String name, String text) {
		return line("[" + clean((address != null) ? address : HIDDEN_ADDRESS) + "]" + clean(name) + ":" + clean(text));
	}

	private static String line(String text) {
		return text + "\n";
	}

	/** Replaces line breaks and other control characters, except tab, with spaces. */
	static String clean(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder cleaned = null;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if ((Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029') {
				if (cleaned == null) {
					cleaned = new StringBuilder(text);
				}
				cleaned.setCharAt(i, ' ');
			}
		}
		return (cleaned != null) ? cleaned.toString() : text;
	}

}
