package io.imsystem.tcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.imsystem.support.ChatClient;

import static io.imsystem.tcp.LineClient.chatLine;
import static io.imsystem.tcp.LineClient.joinLine;
import static io.imsystem.tcp.LineClient.leaveLine;
import static io.imsystem.tcp.LineClient.whoLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each place where the original server crashed or misbehaved, as its own test: ours must not.
 */
class TcpGatewayDefectsIntegrationTests extends GatewayTestSupport {

	private static final String RENAMED = "您已经更新用户名:";

	private static final String TAKEN = "当前用户名被使用\n";

	@Test
	void concurrentRenamesAndLookupsKeepTheRoomConsistent() throws Exception {
		// The original renamed and looked up in a plain map without its lock: "concurrent map read
		// and map write" killed the server.
		int users = 6;
		int rounds = 30;
		List<LineClient> clients = joinAll(users);
		ExecutorService pool = Executors.newFixedThreadPool(users);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> done = new ArrayList<>();
			for (int i = 0; i < users; i++) {
				int user = i;
				LineClient client = clients.get(i);
				done.add(pool.submit(() -> {
					start.await();
					for (int round = 0; round < rounds; round++) {
						client.sendLine("rename|u" + user + "-" + round);
						client.sendLine("to|u" + ((user + 1) % users) + "-" + round + "|hi");
						client.sendLine("who");
					}
					client.sendLine("rename|final" + user);
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : done) {
				future.get(ChatClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		for (int i = 0; i < users; i++) {
			clients.get(i).skipUntil(RENAMED + "final" + i + "\n");
		}
		LineClient late = tcp();
		late.sendLine("who");
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < users; i++) {
			expected.add(whoLine(clients.get(i).address(), "final" + i));
		}
		expected.add(whoLine(late.address(), late.address()));
		assertThat(late.next(users + 1)).containsExactlyInAnyOrderElementsOf(expected);
	}

	@Test
	void twoUsersNeverWinTheSameName() throws Exception {
		// The original checked the map, then wrote it: two users could both get a name.
		ChatClient ws = ws("walt");
		List<LineClient> clients = joinAll(8);
		ExecutorService pool = Executors.newFixedThreadPool(clients.size() + 1);
		try {
			for (int round = 0; round < 5; round++) {
				String name = "winner" + round;
				CountDownLatch start = new CountDownLatch(1);
				List<Future<String>> answers = new ArrayList<>();
				for (LineClient client : clients) {
					answers.add(pool.submit(() -> {
						start.await();
						client.sendLine("rename|" + name);
						return client.next();
					}));
				}
				Future<String> wsAnswer = pool.submit(() -> {
					start.await();
					ws.send("rename|" + name);
					return nextAnswer(ws);
				});
				start.countDown();
				int wins = 0;
				for (Future<String> answer : answers) {
					String line = answer.get(ChatClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
					assertThat(line).isIn(RENAMED + name + "\n", TAKEN);
					wins += line.equals(TAKEN) ? 0 : 1;
				}
				wins += wsAnswer.get(ChatClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS).equals("renamed") ? 1 : 0;
				assertThat(wins).as("winners of %s", name).isEqualTo(1);
				assertThat(user(name)).as("user %s", name).isNotNull();
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void namesFollowTheContractRules() {
		// The original took any name: empty, with spaces, with '|', or another user's address.
		LineClient client = tcp();
		String address = client.address();
		String tooLong = "n".repeat(33);
		for (String name : List.of("", "   ", "a b", "a|b", tooLong, "127.0.0.1:9999", "bell\u0007")) {
			client.sendLine("rename|" + name);
			assertThat(client.next()).as("rename|%s", name).isEqualTo(LineEncoding.INVALID_NAME + "\n");
		}
		client.sendLine("who");
		assertThat(client.next()).isEqualTo(whoLine(address, address));
		client.sendLine("rename| 张三_2.x ");
		assertThat(client.next()).isEqualTo(RENAMED + "张三_2.x\n");
	}

	@Test
	void privateMessageWithoutSecondBarIsAnsweredNotACrash() {
		// "to|name" made the original index past the end of the split and crash the server.
		LineClient a = tcp();
		LineClient b = tcp();
		a.next();
		a.sendLine("to|" + b.address());
		assertThat(a.next()).isEqualTo("无消息内容，请重发\n");
		a.sendLine("to|");
		assertThat(a.next()).isEqualTo(LineEncoding.BAD_PRIVATE_FORMAT + "\n");
		a.sendLine("still here");
		assertThat(a.next()).isEqualTo(chatLine(a.address(), a.address(), "still here"));
		assertThat(b.next()).isEqualTo(chatLine(a.address(), a.address(), "still here"));
		LineClient c = tcp();
		assertThat(a.next()).isEqualTo(joinLine(c.address(), c.address()));
	}

	@Test
	void slowReaderIsDroppedWithoutFreezingOthers() {
		// The original wrote to each user from one broadcast loop: one user that did not read
		// blocked every message for everyone.
		LineClient reader = tcp();
		LineClient slow = track(LineClient.connectNotReading(LINE_PORT));
		String slowAddress = slow.address();
		await().atMost(ChatClient.TIMEOUT).until(() -> user(slowAddress) != null);
		reader.skipUntil(joinLine(slowAddress, slowAddress));
		String text = "x".repeat(4000);
		String echo = chatLine(reader.address(), reader.address(), text);
		String slowLeft = leaveLine(slowAddress, slowAddress);
		boolean dropped = false;
		// Each line comes back to its sender at once, however far behind the slow reader is.
		for (int i = 0; i < 3000 && !dropped; i++) {
			reader.sendLine(text);
			String line;
			while (!(line = reader.next()).equals(echo)) {
				assertThat(line).isEqualTo(slowLeft);
				dropped = true;
			}
		}
		assertThat(dropped).as("slow reader dropped").isTrue();
		assertThat(user(slowAddress)).isNull();
		reader.sendLine("who");
		reader.skipUntil(whoLine(reader.address(), reader.address()));
		JsonNode kick = admin().awaitKickOfAddress(slowAddress);
		assertThat(kick.path("reason").asString()).isEqualTo("slow");
		slow.drainToEnd(64L * 1024 * 1024);
		await().atMost(ChatClient.TIMEOUT).until(() -> lineConnections() == 1);
	}

	@Test
	void lineOf5001BytesIsOneMessage() {
		// The original read into a 4,096-byte buffer: a longer line became two messages.
		LineClient a = tcp();
		LineClient b = tcp();
		a.next();
		String text = "长".repeat(1667);
		assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(5001);
		a.sendLine(text);
		assertThat(b.next()).isEqualTo(chatLine(a.address(), a.address(), text));
		a.sendLine("next");
		assertThat(b.next()).isEqualTo(chatLine(a.address(), a.address(), "next"));
	}

	@Test
	void linesAreFramedOnNewlinesWhateverTheWrites() {
		// The original took whatever one read returned as one message, minus its last byte.
		LineClient a = tcp();
		LineClient b = tcp();
		a.next();
		String from = a.address();
		a.sendRaw("one\ntwo\n");
		a.sendRaw("three\r\n");
		a.sendRaw("fo");
		assertThat(b.next(3)).containsExactly(chatLine(from, from, "one"), chatLine(from, from, "two"),
				chatLine(from, from, "three"));
		a.sendRaw("ur\n");
		assertThat(b.next()).isEqualTo(chatLine(from, from, "four"));
	}

	@Test
	void overlongLineIsRefusedWholeAndTheConnectionGoesOn() {
		LineClient a = tcp();
		LineClient b = tcp();
		a.next();
		int limit = MAX_LINE_BYTES;
		// Exactly the limit in UTF-8 bytes, in fewer characters than the text limit.
		String longest = "长".repeat(limit / 3) + "z".repeat(limit % 3);
		assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(limit);
		a.sendLine(longest + "z");
		assertThat(a.next()).isEqualTo(LineEncoding.TEXT_TOO_LONG + "\n");
		a.sendLine("y".repeat(3 * limit) + "tail");
		assertThat(a.next()).isEqualTo(LineEncoding.TEXT_TOO_LONG + "\n");
		a.sendLine(longest);
		assertThat(b.next()).isEqualTo(chatLine(a.address(), a.address(), longest));
		a.sendRaw(longest + "\r\n");
		assertThat(b.next()).isEqualTo(chatLine(a.address(), a.address(), longest));
		a.sendLine("after");
		assertThat(b.next()).isEqualTo(chatLine(a.address(), a.address(), "after"));
	}

	@Test
	void privateAndKickLinesEndWithANewline() {
		// The original wrote "<name>对您说:<text>" and "你被踢了" without one, gluing the next
		// line (or the prompt) to them.
		LineClient a = tcp();
		LineClient b = tcp();
		a.next();
		a.sendLine("to|" + b.address() + "|你好");
		assertThat(b.next()).isEqualTo(a.address() + "对您说:你好\n");
		shortenTimeout(b.address());
		assertThat(b.next()).isEqualTo("你被踢了\n");
		b.assertEnd();
	}

	@Test
	void idleKickSaysDownToOthersButIsRecordedAsIdle() {
		// The original could not tell a kick from a leave afterwards; ours shows the same line and
		// keeps the reason.
		LineClient other = tcp();
		ChatClient ws = ws("watcher");
		other.next();
		LineClient idle = tcp();
		String address = idle.address();
		other.next();
		ws.nextOfType("presence");
		shortenTimeout(address);
		assertThat(idle.next()).isEqualTo("你被踢了\n");
		assertThat(other.next()).isEqualTo(leaveLine(address, address));
		JsonNode left = nextLeave(ws);
		assertThat(left.path("reason").asString()).isEqualTo("idle");
		JsonNode kick = admin().awaitKickOfAddress(address);
		assertThat(kick.path("reason").asString()).isEqualTo("idle");
		assertThat(kick.path("name").asString()).isEqualTo(address);
		assertThat(kick.path("message").asString()).isEqualTo("你被踢了");
	}

	@Test
	void kickedConnectionIsClosedByTheServerAndFreed() {
		// The original left the kicked user's writer spinning on a closed channel and its socket
		// half open.
		LineClient other = tcp();
		LineClient kicked = tcp();
		other.next();
		shortenTimeout(kicked.address());
		assertThat(kicked.next()).isEqualTo("你被踢了\n");
		kicked.assertEnd();
		await().atMost(ChatClient.TIMEOUT).until(() -> lineConnections() == 1);
		assertThat(user(kicked.address())).isNull();
		other.skipUntil(leaveLine(kicked.address(), kicked.address()));
		other.sendLine("after the kick");
		assertThat(other.next()).isEqualTo(chatLine(other.address(), other.address(), "after the kick"));
	}

	@Test
	void clientThatLeavesIsClosedAtOnceNotLeftInCloseWait() {
		// The original noticed a leave but closed its side only when the idle timer fired.
		LineClient other = tcp();
		LineClient leaving = tcp();
		other.next();
		leaving.shutdownOutput();
		leaving.assertEnd();
		assertThat(other.next()).isEqualTo(leaveLine(leaving.address(), leaving.address()));
		await().atMost(ChatClient.TIMEOUT).until(() -> lineConnections() == 1);
	}

	private List<LineClient> joinAll(int count) {
		List<LineClient> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			LineClient client = tcp();
			for (LineClient earlier : clients) {
				assertThat(earlier.next()).isEqualTo(joinLine(client.address(), client.address()));
			}
			clients.add(client);
		}
		return clients;
	}

	/** The type of the next {@code renamed} or {@code error} event, skipping others' presence. */
	private static String nextAnswer(ChatClient client) {
		for (int i = 0; i < 100; i++) {
			String type = client.next().path("type").asString();
			if (type.equals("renamed") || type.equals("error")) {
				return type;
			}
		}
		throw new AssertionError("no answer");
	}

	private static JsonNode nextLeave(ChatClient client) {
		for (int i = 0; i < 100; i++) {
			JsonNode presence = client.nextOfType("presence");
			if (presence.path("event").asString().equals("leave")) {
				return presence;
			}
		}
		throw new AssertionError("no leave");
	}

}
