package io.imsystem.tcp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.imsystem.ImSystemApplication;
import io.imsystem.support.FreePort;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code chat.tcp.*} settings, each in an application started as an operator starts it: the
 * port it listens on is the one its log gives, and a setting it cannot use stops the start with a
 * message naming the property.
 */
@ExtendWith(OutputCaptureExtension.class)
class TcpConfigurationIntegrationTests {

	private static final Pattern LISTENING = Pattern
		.compile("Line-protocol TCP gateway listening on 127\\.0\\.0\\.1:(\\d+) \\((epoll|NIO)\\)");

	/** Linux on x86-64, the system whose epoll library the build ships (and CI's). */
	private static final boolean EPOLL_SHIPPED = System.getProperty("os.name").equals("Linux")
			&& System.getProperty("os.arch").equals("amd64");

	@Test
	void listensOnARandomPortWhenThePortIsZero(CapturedOutput output) {
		try (ConfigurableApplicationContext server = app("--chat.tcp.port=0")) {
			int port = loggedPort(output);
			assertThat(port).isPositive();
			try (LineClient client = LineClient.join(port)) {
				assertThat(client.address()).startsWith("127.0.0.1:");
			}
		}
	}

	@Test
	void usesEpollWhereTheBuildShipsItAndJavaNioWhenToldOrElsewhere(CapturedOutput output) {
		try (ConfigurableApplicationContext server = app("--chat.tcp.port=0")) {
			assertThat(loggedTransport(output)).isEqualTo(EPOLL_SHIPPED ? "epoll" : "NIO");
			chatsBetweenTwoUsers(loggedPort(output));
		}
		try (ConfigurableApplicationContext server = app("--chat.tcp.port=0", "--chat.tcp.native-transport=false")) {
			assertThat(loggedTransport(output)).isEqualTo("NIO");
			chatsBetweenTwoUsers(loggedPort(output));
		}
	}

	private static void chatsBetweenTwoUsers(int port) {
		try (LineClient a = LineClient.join(port); LineClient b = LineClient.join(port)) {
			a.skipUntil(LineClient.joinLine(b.address(), b.address()));
			b.sendLine("hello");
			assertThat(a.next()).isEqualTo(LineClient.chatLine(b.address(), b.address(), "hello"));
		}
	}

	@Test
	void canBeTurnedOff(CapturedOutput output) {
		int port = FreePort.find();
		try (ConfigurableApplicationContext server = app("--chat.tcp.enabled=false", "--chat.tcp.port=" + port)) {
			assertThat(server.isRunning()).isTrue();
			assertThat(output.getOut()).doesNotContain("Line-protocol TCP gateway listening");
			assertThatExceptionOfType(ConnectException.class).as("nothing listens on chat.tcp.port")
				.isThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close());
		}
	}

	@Test
	void refusesAnInvalidPortNamingTheProperty() {
		assertThatThrownBy(() -> app("--chat.tcp.port=70000")).rootCause().hasMessageContaining("chat.tcp.port");
	}

	@Test
	void portInUseFailsStartUpNamingTheProperty() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			assertThatThrownBy(() -> app("--chat.tcp.port=" + taken.getLocalPort()))
				.hasStackTraceContaining("chat.tcp.port");
		}
	}

	/**
	 * Starts the application with these settings on its command line, as an operator would: they
	 * win over every configuration file, the tests' own included.
	 */
	private static ConfigurableApplicationContext app(String... arguments) {
		return new SpringApplicationBuilder(ImSystemApplication.class)
			.properties("server.port=0", "chat.admin.password=tcp-configuration")
			.run(arguments);
	}

	/** The transport named by the last "listening" line the gateway logged. */
	private static String loggedTransport(CapturedOutput output) {
		Matcher matcher = LISTENING.matcher(output.getOut());
		String transport = null;
		while (matcher.find()) {
			transport = matcher.group(2);
		}
		assertThat(transport).as("the gateway's listening line in the log").isNotNull();
		return transport;
	}

	/** The port of the last "listening" line the gateway logged. */
	private static int loggedPort(CapturedOutput output) {
		Matcher matcher = LISTENING.matcher(output.getOut());
		int port = -1;
		while (matcher.find()) {
			port = Integer.parseInt(matcher.group(1));
		}
		assertThat(port).as("the gateway's listening line in the log").isPositive();
		return port;
	}

}
