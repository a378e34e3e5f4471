package io.imsystem.tcp;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.imsystem.ImSystemApplication;
import io.imsystem.support.AdminApi;
import io.imsystem.support.ChatClient;
import io.imsystem.support.FreePort;
import io.imsystem.support.Prometheus;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.imsystem.tcp.LineClient.chatLine;
import static io.imsystem.tcp.LineClient.joinLine;
import static io.imsystem.tcp.LineClient.leaveLine;
import static io.imsystem.tcp.LineClient.whoLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The original IM system's line protocol, spoken by raw sockets as {@code nc} does, in the same
 * room as WebSocket users.
 */
class TcpGatewayIntegrationTests extends GatewayTestSupport {

	/** What line users read in place of a WebSocket user's address. */
	private static final String WEB = "web";

	@Test
	void originalProtocolTranscript() {
		LineClient a = tcp();
		String addrA = a.address();
		LineClient b = tcp();
		String addrB = b.address();
		assertThat(a.next()).isEqualTo(joinLine(addrB, addrB));

		a.sendLine("who");
		assertThat(a.next(2)).containsExactlyInAnyOrder(whoLine(addrA, addrA), whoLine(addrB, addrB));

		a.sendLine("rename|alice");
		assertThat(a.next()).isEqualTo("您已经更新用户名:alice\n");
		b.sendLine("rename|alice");
		assertThat(b.next()).isEqualTo("当前用户名被使用\n");

		b.sendLine("to|alice|你好啊");
		assertThat(a.next()).isEqualTo(addrB + "对您说:你好啊\n");
		// The sender gets no copy of its private message: its next line answers its next command.
		b.sendLine("to|nobody|你好啊");
		assertThat(b.next()).isEqualTo("该用户名不不存在\n");
		b.sendLine("to||你好啊");
		assertThat(b.next()).isEqualTo("消息格式不正确，请使用 \"to|张三|你好啊\"格式。\n");
		b.sendLine("to|alice|");
		assertThat(b.next()).isEqualTo("无消息内容，请重发\n");

		a.sendLine("大家好");
		assertThat(a.next()).isEqualTo(chatLine(addrA, "alice", "大家好"));
		assertThat(b.next()).isEqualTo(chatLine(addrA, "alice", "大家好"));

		b.sendLine("who");
		assertThat(b.next(2)).containsExactlyInAnyOrder(whoLine(addrA, "alice"), whoLine(addrB, addrB));

		shortenTimeout(addrB);
		String kick = b.next();
		assertThat(kick.getBytes(StandardCharsets.UTF_8)).containsExactly(0xE4, 0xBD, 0xA0, 0xE8, 0xA2, 0xAB, 0xE8,
				0xB8, 0xA2, 0xE4, 0xBA, 0x86, '\n');
		assertThat(kick).isEqualTo(KICK_MESSAGE + "\n");
		b.assertEnd();
		assertThat(a.next()).isEqualTo(leaveLine(addrB, addrB));
	}

	@Test
	void lineAndWebSocketUsersShareTheRoom() {
		LineClient tcp = tcp();
		String addrT = tcp.address();
		ChatClient ws = ws("alice");
		assertThat(tcp.next()).isEqualTo(joinLine(WEB, "alice"));

		ws.send("who");
		JsonNode users = ws.next("users").path("users");
		List<String> names = new ArrayList<>();
		users.forEach((user) -> {
			names.add(user.path("name").asString());
			assertThat(user.has("address")).as("address in %s", user).isFalse();
		});
		assertThat(names).containsExactlyInAnyOrder("alice", addrT);
		tcp.sendLine("who");
		assertThat(tcp.next(2)).containsExactlyInAnyOrder(whoLine(addrT, addrT), whoLine(WEB, "alice"));

		tcp.sendLine("hi from nc");
		assertThat(tcp.next()).isEqualTo(chatLine(addrT, addrT, "hi from nc"));
		JsonNode chat = ws.next("chat");
		assertThat(chat.path("from").asString()).isEqualTo(addrT);
		assertThat(chat.path("text").asString()).isEqualTo("hi from nc");
		assertThat(chat.has("fromAddress")).isFalse();
		ws.send("{\"type\":\"chat\",\"text\":\"hi from the browser\"}");
		assertThat(tcp.next()).isEqualTo(chatLine(WEB, "alice", "hi from the browser"));
		ws.next("chat");

		tcp.sendLine("to|ALICE|psst");
		JsonNode whisper = ws.next("private");
		assertThat(whisper.path("from").asString()).isEqualTo(addrT);
		assertThat(whisper.path("to").asString()).isEqualTo("alice");
		assertThat(whisper.path("text").asString()).isEqualTo("psst");
		ws.send("to|" + addrT + "|back");
		assertThat(tcp.next()).isEqualTo("alice对您说:back\n");
		assertThat(ws.next("private").path("text").asString()).isEqualTo("back");

		tcp.sendLine("rename|bob");
		assertThat(tcp.next()).isEqualTo("您已经更新用户名:bob\n");
		JsonNode renamed = ws.next("presence");
		assertThat(renamed.path("event").asString()).isEqualTo("rename");
		assertThat(renamed.path("name").asString()).isEqualTo("bob");
		assertThat(renamed.path("previousName").asString()).isEqualTo(addrT);
		ws.send("rename|carol");
		ws.next("renamed");
		ws.next("presence");
		// The original told nobody about a rename: the line user's next line is the whisper.
		ws.send("to|bob|hello bob");
		assertThat(tcp.next()).isEqualTo("carol对您说:hello bob\n");
		assertThat(ws.next("private").path("from").asString()).isEqualTo("carol");
		tcp.sendLine("to|carol|hi carol");
		assertThat(ws.next("private").path("from").asString()).isEqualTo("bob");

		tcp.close();
		JsonNode left = ws.nextOfType("presence");
		assertThat(left.path("event").asString()).isEqualTo("leave");
		assertThat(left.path("name").asString()).isEqualTo("bob");
		assertThat(left.path("reason").asString()).isEqualTo("quit");
	}

	@Test
	void webSocketUserLeavingIsADownLineForLineUsers() {
		LineClient tcp = tcp();
		ChatClient ws = ws("dora");
		assertThat(tcp.next()).isEqualTo(joinLine(WEB, "dora"));
		ws.close();
		assertThat(tcp.next()).isEqualTo(leaveLine(WEB, "dora"));
	}

	/**
	 * Line users see each other's addresses, as in the original; a WebSocket user's address reaches
	 * nobody: every line about one shows {@code [web]} instead.
	 */
	@Test
	void aWebSocketUsersAddressNeverReachesLineUsers() {
		LineClient a = tcp();
		ChatClient ws = ws("erin");
		String addrW = addressOf("erin");
		assertThat(addrW).startsWith("127.0.0.1:");
		LineClient b = tcp();
		List<String> lines = new ArrayList<>();

		List<String> joins = a.next(2);
		assertThat(joins).containsExactlyInAnyOrder(joinLine(WEB, "erin"), joinLine(b.address(), b.address()));
		lines.addAll(joins);
		a.sendLine("who");
		List<String> who = a.next(3);
		assertThat(who).containsExactlyInAnyOrder(whoLine(a.address(), a.address()), whoLine(WEB, "erin"),
				whoLine(b.address(), b.address()));
		lines.addAll(who);

		ws.send("hello from the browser");
		String chat = a.next();
		assertThat(chat).isEqualTo(chatLine(WEB, "erin", "hello from the browser"));
		lines.add(chat);
		ws.send("rename|frank");
		ws.nextOfType("renamed");
		ws.send("to|" + a.address() + "|psst");
		String whisper = a.next();
		assertThat(whisper).isEqualTo("frank对您说:psst\n");
		lines.add(whisper);
		ws.close();
		String left = a.next();
		assertThat(left).isEqualTo(leaveLine(WEB, "frank"));
		lines.add(left);
		assertThat(b.next()).isEqualTo(chatLine(WEB, "erin", "hello from the browser"));
		assertThat(b.next()).isEqualTo(leaveLine(WEB, "frank"));

		Set<String> shown = new TreeSet<>();
		Matcher addresses = Pattern.compile("127\\.0\\.0\\.1:\\d+").matcher(String.join("", lines));
		while (addresses.find()) {
			shown.add(addresses.group());
		}
		assertThat(shown).as("addresses in %s", lines)
			.doesNotContain(addrW)
			.containsExactlyInAnyOrder(a.address(), b.address());
	}

	@Test
	void aLineStartingWithABraceIsJsonAsOnWebSockets() {
		LineClient tcp = tcp();
		tcp.sendLine("{\"type\":\"chat\",\"text\":\"json works\"}");
		assertThat(tcp.next()).isEqualTo(chatLine(tcp.address(), tcp.address(), "json works"));
		tcp.sendLine("{oops");
		assertThat(tcp.next()).isEqualTo(LineEncoding.BAD_JSON + "\n");
		tcp.sendLine("{\"type\":\"ping\"}");
		assertThat(tcp.next()).isEqualTo("pong\n");
	}

	@Test
	void emptyLineIsAnsweredNotBroadcast() {
		LineClient a = tcp();
		LineClient b = tcp();
		a.next();
		b.sendLine("");
		assertThat(b.next()).isEqualTo("无消息内容，请重发\n");
		b.sendLine("after");
		assertThat(a.next()).isEqualTo(chatLine(b.address(), b.address(), "after"));
	}

	@Test
	void everyLineIsUserActivity() {
		LineClient tcp = tcp();
		long before = lastActivityOf(tcp.address());
		// The server's clock is this machine's: wait until a new activity reads later.
		await().atMost(ChatClient.TIMEOUT).until(() -> System.currentTimeMillis() > before);
		tcp.sendLine("to|nobody|x");
		assertThat(tcp.next()).isEqualTo("该用户名不不存在\n");
		assertThat(lastActivityOf(tcp.address())).isGreaterThan(before);
	}

	/**
	 * A server of its own, since this one stops: its line users get the shutdown line, then the
	 * end of the connection; the port is closed; once started again, the kicks are in its history
	 * and none of the old connections is open.
	 */
	@Test
	void stoppingTheServerKicksLineUsersThenClosesTheGateway() {
		int linePort = FreePort.find();
		ConfigurableApplicationContext server = new SpringApplicationBuilder(ImSystemApplication.class)
			.properties("server.port=0", "chat.admin.password=" + ADMIN_PASSWORD)
			// On the command line, to win over the tests' configuration file (which asks for port 0).
			.run("--chat.tcp.port=" + linePort);
		try (LineClient client = LineClient.join(linePort)) {
			server.stop();
			assertThat(client.next()).isEqualTo(TcpGateway.SHUTDOWN_MESSAGE + "\n");
			client.assertEnd();
			assertThatExceptionOfType(ConnectException.class).as("gateway closed")
				.isThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), linePort).close());

			server.start();
			int httpPort = Integer.parseInt(server.getEnvironment().getProperty("local.server.port"));
			JsonNode kick = AdminApi.of(httpPort, ADMIN_PASSWORD).awaitKickOfAddress(client.address());
			assertThat(kick.path("reason").asString()).isEqualTo("shutdown");
			assertThat(Prometheus.lineConnections(httpPort)).isZero();
		}
		finally {
			server.close();
		}
	}

	private long lastActivityOf(String name) {
		JsonNode user = user(name);
		assertThat(user).as("user %s", name).isNotNull();
		return AdminApi.epochMillis(user.path("lastActivityAt"));
	}

}
