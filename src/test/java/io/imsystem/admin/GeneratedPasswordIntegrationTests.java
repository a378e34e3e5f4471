package io.imsystem.admin;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.imsystem.support.Http;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Started without {@code chat.admin.password}: the generated password is logged as one line a user
 * can paste into the shell, and the README's {@code curl -u admin:$CHAT_ADMIN_PASSWORD} examples
 * then work as written.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "chat.admin.password=")
class GeneratedPasswordIntegrationTests {

	private static final Pattern EXPORT = Pattern.compile("export CHAT_ADMIN_PASSWORD='([^'\\s]+)'");

	@LocalServerPort
	int port;

	@Test
	void theGeneratedPasswordIsLoggedAsAnExportLine(CapturedOutput output) {
		List<Matcher> exports = output.getAll()
			.lines()
			.map(EXPORT::matcher)
			.filter(Matcher::find)
			.toList();
		assertThat(exports).as("export lines in the start-up log").hasSize(1);
		String password = exports.get(0).group(1);

		assertThat(Http.basic(this.port, "admin", password).get("/api/admin/users").status()).isEqualTo(200);
		assertThat(Http.basic(this.port, "admin", password + "x").get("/api/admin/users").status()).isEqualTo(401);
	}

}
