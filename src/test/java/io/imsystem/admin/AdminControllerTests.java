package io.imsystem.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.imsystem.ChatProperties;
import io.imsystem.chat.Moderation;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.InMemoryKickHistory;
import io.imsystem.idle.KickHistory;
import io.imsystem.presence.LocalPresence;
import io.imsystem.presence.Presence;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** Validation and status codes of the admin API, in an MVC slice with the real security rules. */
@WebMvcTest(AdminController.class)
@Import({ AdminSecurityConfiguration.class, InMemoryAdminAudit.class, AdminControllerTests.Beans.class })
@TestPropertySource(properties = { "chat.admin.username=root", "chat.admin.password=pw", "chat.idle.max-timeout=1h" })
class AdminControllerTests {

	@Autowired
	MockMvc mvc;

	@MockitoBean
	Moderation moderation;

	@Autowired
	IdlePolicy policy;

	@AfterEach
	void restoreGlobalTimeout() {
		this.policy.update(Duration.ofSeconds(300), Duration.ofSeconds(30));
	}

	@Test
	void refusesAnonymousAndWrongPasswordWithTheSame401ProblemDetail() throws Exception {
		this.mvc.perform(get("/api/admin/timeout"))
			.andExpect(status().isUnauthorized())
			.andExpect(header().string("WWW-Authenticate", "Basic realm=\"im-system\""))
			.andExpect(content().contentTypeCompatibleWith("application/problem+json"))
			.andExpect(jsonPath("$.status").value(401))
			.andExpect(jsonPath("$.detail").value("the administrator's login is required"));
		this.mvc.perform(get("/api/admin/timeout").with(httpBasic("root", "nope")))
			.andExpect(status().isUnauthorized())
			.andExpect(content().contentTypeCompatibleWith("application/problem+json"))
			.andExpect(jsonPath("$.detail").value("the administrator's login is required"));
	}

	@Test
	void readsTheGlobalTimeout() throws Exception {
		this.mvc.perform(get("/api/admin/timeout").with(httpBasic("root", "pw")))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.timeoutSeconds").value(300))
			.andExpect(jsonPath("$.warningSeconds").value(30))
			.andExpect(jsonPath("$.sweepIntervalMillis").value(1000));
	}

	@Test
	void refusesTimeoutsOutsideTheAllowedRange() throws Exception {
		for (String body : new String[] { "{\"timeoutSeconds\":0}", "{\"timeoutSeconds\":-1}",
				"{\"timeoutSeconds\":3601}", "{\"timeoutSeconds\":\"60\"}", "{\"timeoutSeconds\":null}",
				"[60]" }) {
			this.mvc
				.perform(put("/api/admin/timeout").with(httpBasic("root", "pw"))
					.contentType(MediaType.APPLICATION_JSON)
					.content(body))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.status").value(400))
				.andExpect(jsonPath("$.detail").isNotEmpty());
		}
	}

	@Test
	void acceptsTheMaximumAndAWarning() throws Exception {
		this.mvc
			.perform(put("/api/admin/timeout").with(httpBasic("root", "pw"))
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"timeoutSeconds\":3600,\"warningSeconds\":60}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.timeoutSeconds").value(3600))
			.andExpect(jsonPath("$.warningSeconds").value(60));
		this.mvc.perform(get("/api/admin/audit").with(httpBasic("root", "pw")))
			.andExpect(jsonPath("$[0].actor").value("root"))
			.andExpect(jsonPath("$[0].newSeconds").value(3600))
			.andExpect(jsonPath("$[0].newWarningSeconds").value(60));
	}

	@Test
	void refusesAWarningNotShorterThanTheTimeoutNamingBoth() throws Exception {
		for (String body : new String[] { "{\"timeoutSeconds\":10,\"warningSeconds\":30}",
				"{\"timeoutSeconds\":10,\"warningSeconds\":10}" }) {
			this.mvc
				.perform(put("/api/admin/timeout").with(httpBasic("root", "pw"))
					.contentType(MediaType.APPLICATION_JSON)
					.content(body))
				.andExpect(status().isBadRequest())
				.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.detail").value(containsString("timeout of 10s")))
				.andExpect(jsonPath("$.detail").value(containsString("was " + body.substring(body.lastIndexOf(':') + 1,
						body.length() - 1) + "s")));
		}
		this.mvc.perform(get("/api/admin/timeout").with(httpBasic("root", "pw")))
			.andExpect(jsonPath("$.timeoutSeconds").value(300))
			.andExpect(jsonPath("$.warningSeconds").value(30));
	}

	@Test
	void aKeptWarningNotShorterThanANewTimeoutIsShownAtHalfOfIt() throws Exception {
		this.mvc
			.perform(put("/api/admin/timeout").with(httpBasic("root", "pw"))
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"timeoutSeconds\":20}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.timeoutSeconds").value(20))
			.andExpect(jsonPath("$.warningSeconds").value(30))
			.andExpect(jsonPath("$.effectiveWarningSeconds").value(10));
	}

	@Test
	void refusesUnknownFieldsInRequestBodies() throws Exception {
		this.mvc
			.perform(put("/api/admin/timeout").with(httpBasic("root", "pw"))
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"timeoutSeconds\":60,\"warning\":10}"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value(containsString("unknown field warning")));
		this.mvc
			.perform(post("/api/admin/users/ghost/kick").with(httpBasic("root", "pw"))
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"reason\":\"spamming\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail").value(containsString("unknown field reason")));
	}

	@Test
	void unknownUsersAre404ProblemDetails() throws Exception {
		this.mvc.perform(post("/api/admin/users/ghost/kick").with(httpBasic("root", "pw")))
			.andExpect(status().isNotFound())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value("no user named ghost"));
		this.mvc
			.perform(put("/api/admin/users/ghost/timeout").with(httpBasic("root", "pw"))
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"timeoutSeconds\":10}"))
			.andExpect(status().isNotFound());
	}

	@Test
	void validatesKickHistoryAndPreviewParameters() throws Exception {
		this.mvc.perform(get("/api/admin/kicks?limit=1001").with(httpBasic("root", "pw")))
			.andExpect(status().isBadRequest());
		this.mvc.perform(get("/api/admin/kicks?reason=bogus").with(httpBasic("root", "pw")))
			.andExpect(status().isBadRequest());
		this.mvc.perform(get("/api/admin/kicks?reason=IDLE").with(httpBasic("root", "pw"))).andExpect(status().isOk());
		this.mvc.perform(get("/api/admin/idle-preview?timeoutSeconds=-3").with(httpBasic("root", "pw")))
			.andExpect(status().isBadRequest());
		this.mvc.perform(get("/api/admin/idle-preview").with(httpBasic("root", "pw")))
			.andExpect(status().isBadRequest());
		this.mvc.perform(get("/api/admin/idle-preview?timeoutSeconds=60").with(httpBasic("root", "pw")))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$").isArray());
	}

	@TestConfiguration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ChatProperties.class)
	static class Beans {

		@Bean
		Clock clock() {
			return Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
		}

		@Bean
		Presence presence() {
			return new LocalPresence(List.of(), "node-a");
		}

		@Bean
		IdlePolicy idlePolicy(ChatProperties properties) {
			return new IdlePolicy(properties.idle());
		}

		@Bean
		KickHistory kickHistory() {
			return new InMemoryKickHistory(1000);
		}

	}

}
