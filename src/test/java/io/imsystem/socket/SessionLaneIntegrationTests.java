package io.imsystem.socket;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.imsystem.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Users already in the room are served while every HTTP request thread is busy: their frames run
 * on the connector's session lane ({@link ChatConnectorProtocol}), not in the queue behind HTTP
 * requests and handshakes. Here two slow uploads hold the server's two request threads, each
 * reading a body that never comes (Tomcat's read timeout is 60 s); before the lane, a chatting
 * user's frames waited in the same queue until an upload gave up.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.tomcat.threads.max=" + SessionLaneIntegrationTests.REQUEST_THREADS,
				"server.tomcat.threads.min-spare=1", "chat.admin.password=" + SessionLaneIntegrationTests.PASSWORD })
class SessionLaneIntegrationTests {

	static final int REQUEST_THREADS = 2;

	static final String PASSWORD = "session-lane";

	@LocalServerPort
	private int port;

	@Test
	void theRoomIsServedWhileEveryRequestThreadIsHeldByASlowUpload() {
		try (ChatClient alice = ChatClient.join(this.port, "alice"); ChatClient bob = ChatClient.join(this.port, "bob")) {
			alice.awaitJoins("bob");
			List<LoopbackClient> uploads = new ArrayList<>();
			try {
				for (int i = 0; i < REQUEST_THREADS; i++) {
					LoopbackClient upload = LoopbackClient.connect("127.0.0.9", this.port);
					uploads.add(upload);
					upload.write(slowUpload());
					// Tomcat answers "100 Continue" from the request thread that took the request,
					// which then waits for the body: once both have answered, no request thread is free.
					assertThat(upload.readHead().status()).as("interim answer of upload %d", i).isEqualTo(100);
				}
				alice.send("{\"type\":\"who\"}");
				JsonNode users = alice.nextOfType("users");
				List<String> names = new ArrayList<>();
				users.path("users").forEach((user) -> names.add(user.path("name").asString()));
				assertThat(names).containsExactlyInAnyOrder("alice", "bob");
				bob.send("{\"type\":\"chat\",\"text\":\"still here\"}");
				assertThat(alice.untilChats("still here")).hasSize(1);
				alice.send("{\"type\":\"ping\"}");
				assertThat(alice.nextOfType("pong").path("type").asString()).isEqualTo("pong");
			}
			finally {
				uploads.forEach(LoopbackClient::close);
			}
		}
	}

	/** An administrator's timeout change whose JSON body is announced but never sent. */
	private static String slowUpload() {
		String credentials = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
		return "PUT /api/admin/timeout HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + credentials
				+ "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n";
	}

}
