package io.imsystem.tcp;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.imsystem.command.Command;
import io.imsystem.command.CommandParser;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ErrorCause;
import io.imsystem.protocol.ErrorCode;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.protocol.ServerEvent.Presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineEncodingTests {

	private static final String ADDRESS = "127.0.0.1:36574";

	@Test
	void joinAndLeaveAreTheOriginalPresenceLines() {
		assertThat(line(Presence.join(ADDRESS, ADDRESS, 2, 1))).isEqualTo("[127.0.0.1:36574]127.0.0.1:36574:已上线\n");
		assertThat(line(Presence.leave("bob", ADDRESS, LeaveReason.QUIT, 1, 1)))
			.isEqualTo("[127.0.0.1:36574]bob:下线\n");
	}

	@Test
	void idleAndOtherKicksLookLikeAnyLeaveToOthers() {
		for (LeaveReason reason : LeaveReason.values()) {
			assertThat(line(Presence.leave("bob", ADDRESS, reason, 1, 1))).isEqualTo("[127.0.0.1:36574]bob:下线\n");
		}
	}

	@Test
	void chatIsAddressNameAndText() {
		assertThat(line(new ServerEvent.Chat("bob", "大家好 | hi", 1, ADDRESS)))
			.isEqualTo("[127.0.0.1:36574]bob:大家好 | hi\n");
	}

	@Test
	void chatsSentTogetherAreEachChatsOwnLineInOrder() {
		ServerEvent.Chats chats = new ServerEvent.Chats(List.of(new Envelope(new ServerEvent.Chat("bob", "one", 1, ADDRESS)),
				new Envelope(new ServerEvent.Chat("bob", "二\n", 2, ADDRESS))), 2);
		assertThat(new String(LineEncoding.INSTANCE.encode(chats), StandardCharsets.UTF_8))
			.isEqualTo("[127.0.0.1:36574]bob:one\n[127.0.0.1:36574]bob:二 \n");
		// Never one JSON frame: a WebSocket client gets a chat frame per part.
		assertThatThrownBy(() -> JsonEncoding.INSTANCE.encode(chats)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void whoIsOneLinePerUser() {
		ServerEvent.Users users = new ServerEvent.Users(List.of(new ServerEvent.Users.User("alice", 1, 0, "[::1]:5000"),
				new ServerEvent.Users.User(ADDRESS, 1, 7, ADDRESS)), 1);
		assertThat(line(users)).isEqualTo("[[::1]:5000]alice:在线...\n[127.0.0.1:36574]127.0.0.1:36574:在线...\n");
	}

	@Test
	void renameAnswersAreTheOriginals() {
		assertThat(line(new ServerEvent.Renamed("张三", ADDRESS, 1))).isEqualTo("您已经更新用户名:张三\n");
		assertThat(line(error(ErrorCode.NAME_TAKEN, "the name bob is taken"))).isEqualTo("当前用户名被使用\n");
	}

	@Test
	void privateMessageGoesToItsTargetWithATrailingNewline() {
		assertThat(line(new ServerEvent.Private(ADDRESS, "bob", "你好啊", 1))).isEqualTo("127.0.0.1:36574对您说:你好啊\n");
	}

	@Test
	void privateMessageErrorsAreTheOriginalsIncludingItsTypo() {
		assertThat(line(error(ErrorCode.UNKNOWN_USER, "no user named zoe"))).isEqualTo("该用户名不不存在\n");
		assertThat(line(error(ErrorCode.EMPTY_TEXT, "text is empty"))).isEqualTo("无消息内容，请重发\n");
	}

	@Test
	void privateMessageWithoutRecipientGetsTheFormatHint() {
		Command command = new CommandParser(1000).parse("to||你好啊");
		assertThat(command).isInstanceOf(Command.Invalid.class);
		Command.Invalid invalid = (Command.Invalid) command;
		assertThat(line(new ServerEvent.Error(invalid.cause(), invalid.message(), 1)))
			.isEqualTo("消息格式不正确，请使用 \"to|张三|你好啊\"格式。\n");
	}

	@Test
	void theLineForAnErrorFollowsItsCauseNotItsEnglishMessage() {
		assertThat(line(new ServerEvent.Error(ErrorCause.UNKNOWN_USER, "no recipient given", 1)))
			.isEqualTo("该用户名不不存在\n");
		assertThat(line(new ServerEvent.Error(ErrorCause.NO_RECIPIENT, "anything", 1)))
			.isEqualTo("消息格式不正确，请使用 \"to|张三|你好啊\"格式。\n");
	}

	@Test
	void originalLinesKeepTheirFullwidthPunctuation() {
		// U+FF0C (，) and U+3002 (。) inside sentences; an ASCII ':' after names, as in the original.
		assertThat(line(new ServerEvent.Error(ErrorCause.NO_RECIPIENT, "no recipient given", 1)))
			.isEqualTo("\u6d88\u606f\u683c\u5f0f\u4e0d\u6b63\u786e\uff0c\u8bf7\u4f7f\u7528 \"to|\u5f20\u4e09|\u4f60\u597d\u554a\"\u683c\u5f0f\u3002\n");
		assertThat(line(error(ErrorCode.EMPTY_TEXT, "x"))).isEqualTo("\u65e0\u6d88\u606f\u5185\u5bb9\uff0c\u8bf7\u91cd\u53d1\n");
		assertThat(line(new ServerEvent.Renamed("bob", "a", 1))).isEqualTo("\u60a8\u5df2\u7ecf\u66f4\u65b0\u7528\u6237\u540d:bob\n");
	}

	@Test
	void kickIsItsMessageOnALineOfItsOwn() {
		assertThat(line(new ServerEvent.Kicked(LeaveReason.IDLE, "你被踢了", 1))).isEqualTo("你被踢了\n");
	}

	@Test
	void newErrorsHaveLinesToo() {
		assertThat(line(error(ErrorCode.INVALID_NAME, "x"))).startsWith("用户名不合法").endsWith("\n");
		assertThat(line(error(ErrorCode.TEXT_TOO_LONG, "x"))).isEqualTo("消息太长，请缩短后重发\n");
		assertThat(line(error(ErrorCode.RATE_LIMITED, "x"))).isEqualTo("发送太快，消息已被丢弃\n");
		assertThat(line(error(ErrorCode.BAD_JSON, "x"))).startsWith("消息格式不正确").endsWith("\n");
		assertThat(line(error(ErrorCode.UNKNOWN_TYPE, "x"))).startsWith("消息格式不正确").endsWith("\n");
	}

	@Test
	void idleWarningAndPongHaveLines() {
		assertThat(line(new ServerEvent.IdleWarning(30, 1))).isEqualTo("你已长时间未发言，30秒后将被踢出\n");
		assertThat(line(new ServerEvent.Pong(1))).isEqualTo("pong\n");
	}

	@Test
	void eventsWithoutALineEncodeToNothing() {
		assertThat(LineEncoding.INSTANCE.encode(new ServerEvent.Welcome(ADDRESS, 1, 300, 30, 1))).isEmpty();
		assertThat(LineEncoding.INSTANCE.encode(Presence.rename("bob", ADDRESS, 1, 1))).isEmpty();
		assertThat(LineEncoding.INSTANCE.encode(new ServerEvent.Users(List.of(), 1))).isEmpty();
	}

	@Test
	void everyLineEndsWithExactlyOneNewline() {
		List<ServerEvent> events = List.of(Presence.join("a", ADDRESS, 1, 1), Presence.leave("a", ADDRESS, LeaveReason.IDLE, 0, 1),
				new ServerEvent.Chat("a", "hi", 1, ADDRESS), new ServerEvent.Private("a", "b", "hi", 1),
				new ServerEvent.Renamed("b", "a", 1), new ServerEvent.Kicked(LeaveReason.ADMIN, "bye", 1),
				new ServerEvent.IdleWarning(1, 1), new ServerEvent.Pong(1), error(ErrorCode.EMPTY_TEXT, "x"));
		for (ServerEvent event : events) {
			String line = line(event);
			assertThat(line).as("%s", event).endsWith("\n");
			assertThat(line.indexOf('\n')).as("%s", event).isEqualTo(line.length() - 1);
		}
	}

	@Test
	void lineBreaksAndControlCharactersInTextCannotForgeLines() {
		String forged = "hi\n你被踢了\r\n[127.0.0.1:1]admin:\u001b[2Jgone\u2028x";
		assertThat(line(new ServerEvent.Chat("eve", forged, 1, ADDRESS)))
			.isEqualTo("[127.0.0.1:36574]eve:hi 你被踢了  [127.0.0.1:1]admin: [2Jgone x\n");
		assertThat(line(new ServerEvent.Private("eve", "bob", "a\nb", 1))).isEqualTo("eve对您说:a b\n");
		assertThat(line(new ServerEvent.Chat("eve", "tab\tkept", 1, ADDRESS))).isEqualTo("[127.0.0.1:36574]eve:tab\tkept\n");
	}

	@Test
	void aUserWhoseAddressIsNotShownGetsThePlaceholderInEveryLine() {
		assertThat(line(new ServerEvent.Chat("bob", "hi", 1, null))).isEqualTo("[web]bob:hi\n");
		assertThat(line(ServerEvent.Presence.join("bob", null, 2, 1))).isEqualTo("[web]bob:已上线\n");
		assertThat(line(ServerEvent.Presence.leave("bob", null, LeaveReason.QUIT, 1, 1))).isEqualTo("[web]bob:下线\n");
		assertThat(line(new ServerEvent.Users(List.of(new ServerEvent.Users.User("bob", 1, 0, null),
				new ServerEvent.Users.User("alice", 1, 0, ADDRESS)), 1)))
			.isEqualTo("[web]bob:在线...\n[127.0.0.1:36574]alice:在线...\n");
	}

	@Test
	void encodesOncePerEnvelopeInItsOwnSlot() {
		Envelope envelope = new Envelope(new ServerEvent.Chat("bob", "hi", 1, ADDRESS));
		byte[] first = envelope.encoded(LineEncoding.INSTANCE);
		assertThat(envelope.encoded(LineEncoding.INSTANCE)).isSameAs(first);
		assertThat(envelope.encoded(JsonEncoding.INSTANCE).text()).startsWith("{");
		assertThat(LineEncoding.INSTANCE.slot()).isNotEqualTo(JsonEncoding.INSTANCE.slot());
	}

	@Test
	void addressesNeverReachJsonClients() {
		List<ServerEvent> events = List.of(Presence.join("bob", ADDRESS, 1, 1),
				Presence.leave("bob", ADDRESS, LeaveReason.IDLE, 0, 1), new ServerEvent.Chat("bob", "hi", 1, ADDRESS),
				new ServerEvent.Users(List.of(new ServerEvent.Users.User("bob", 1, 2, ADDRESS)), 1));
		for (ServerEvent event : events) {
			String json = JsonEncoding.INSTANCE.encode(event).text();
			assertThat(json).doesNotContain("127.0.0.1").doesNotContain("ddress");
		}
		assertThat(JsonEncoding.INSTANCE.encode(new ServerEvent.Chat("bob", "hi", 1, ADDRESS)).text())
			.isEqualTo("{\"type\":\"chat\",\"from\":\"bob\",\"text\":\"hi\",\"ts\":1}");
		assertThat(JsonEncoding.INSTANCE.encode(Presence.join("bob", ADDRESS, 3, 1)).text())
			.isEqualTo("{\"type\":\"presence\",\"event\":\"join\",\"name\":\"bob\",\"online\":3,\"ts\":1}");
	}

	@Test
	void eachChangeOfABatchIsItsOwnOriginalLineInOrder() {
		List<PresenceChange> changes = List.of(PresenceChange.join(ADDRESS, ADDRESS), PresenceChange.rename("dan", "dave"),
				PresenceChange.leave("bob", null, LeaveReason.IDLE), PresenceChange.join("carol\nx", null));
		String lines = line(new ServerEvent.PresenceBatch(changes, 7, 1));
		assertThat(lines).isEqualTo("[127.0.0.1:36574]127.0.0.1:36574:已上线\n[web]bob:下线\n[web]carol x:已上线\n");
		StringBuilder oneByOne = new StringBuilder();
		for (PresenceChange change : changes) {
			oneByOne.append(line(change.toEvent(7, 1)));
		}
		assertThat(lines).as("the same lines as the version-1 frames, one by one").isEqualTo(oneByOne.toString());
	}

	@Test
	void aBatchOfRenamesAndACountHaveNoLine() {
		assertThat(LineEncoding.INSTANCE.encode(new ServerEvent.PresenceBatch(
				List.of(PresenceChange.rename("dan", "dave"), PresenceChange.rename("eve", "dan")), 2, 1)))
			.isEmpty();
		assertThat(LineEncoding.INSTANCE.encode(new ServerEvent.PresenceCount(12345, 1))).isEmpty();
	}

	private static ServerEvent.Error error(ErrorCode code, String message) {
		return new ServerEvent.Error(code, message, 1);
	}

	private static String line(ServerEvent event) {
		return new String(LineEncoding.INSTANCE.encode(event), StandardCharsets.UTF_8);
	}

}
