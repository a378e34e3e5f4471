package io.imsystem.admin;

import java.time.Clock;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.ChatProperties;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * One administrator, HTTP Basic, stateless. The chat page and {@code /ws/chat} stay open; the admin
 * API, the console and every actuator endpoint but {@code health} and {@code prometheus} need the
 * administrator. CSRF tokens are off because nothing relies on a session cookie; a browser's cached
 * Basic credentials are guarded instead by refusing cross-site writes ({@link CrossSiteWriteFilter}).
 * Logins are checked by {@link AdminAuthenticationProvider}: constant time, logged when they fail,
 * and throttled per address. Every refusal is a problem detail.
 */
@Configuration(proxyBeanMethods = false)
class AdminSecurityConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(AdminSecurityConfiguration.class);

	static final String ADMIN = "ADMIN";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, UserDetailsService adminUser,
			ChatProperties properties, Clock clock) throws Exception {
		AuthenticationEntryPoint unauthorized = (request, response, exception) -> {
			if (exception instanceof LoginThrottledException throttled) {
				response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(throttled.retryAfterSeconds()));
				ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS.value(),
						HttpStatus.TOO_MANY_REQUESTS.getReasonPhrase(),
						"too many failed logins from this address; try again in " + throttled.retryAfterSeconds() + " s");
				return;
			}
			// The same answer for a missing and a wrong login: it tells a prober nothing.
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"im-system\"");
			ProblemResponses.write(response, HttpStatus.UNAUTHORIZED.value(), HttpStatus.UNAUTHORIZED.getReasonPhrase(),
					"the administrator's login is required");
		};
		ChatProperties.Admin admin = properties.admin();
		AdminAuthenticationProvider login = new AdminAuthenticationProvider(
				adminUser.loadUserByUsername(admin.username()),
				new LoginThrottle(admin.loginFailures(), admin.loginLockout(), clock));
		http.authorizeHttpRequests((requests) -> requests
			.requestMatchers(EndpointRequest.to(HealthEndpoint.class, PrometheusScrapeEndpoint.class))
			.permitAll()
			.requestMatchers(EndpointRequest.toAnyEndpoint())
			.hasRole(ADMIN)
			.requestMatchers("/api/admin/**", "/admin", "/admin/**", "/admin.html")
			.hasRole(ADMIN)
			.requestMatchers(HttpMethod.OPTIONS, "/**")
			.permitAll()
			.anyRequest()
			.permitAll())
			.httpBasic((basic) -> basic.authenticationEntryPoint(unauthorized))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(unauthorized))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			// Our own manager, without the global one as a parent: a failed check must not be tried
			// again by Spring's provider, which would count twice and restore its timing oracle.
			.authenticationManager(new ProviderManager(login))
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable())
			.addFilterBefore(new CrossSiteWriteFilter(),
					org.springframework.security.web.authentication.www.BasicAuthenticationFilter.class)
			.headers(Customizer.withDefaults());
		return http.build();
	}

	/** Requests the firewall refuses (encoded slashes, {@code ..} segments) get a problem detail too. */
	@Bean
	RequestRejectedHandler requestRejectedHandler() {
		return (request, response, exception) -> ProblemResponses.write(response, HttpStatus.BAD_REQUEST.value(),
				HttpStatus.BAD_REQUEST.getReasonPhrase(), "the request was rejected: its URL is not allowed");
	}

	@Bean
	UserDetailsService adminUser(ChatProperties properties) {
		ChatProperties.Admin admin = properties.admin();
		String password = admin.password();
		if (password == null || password.isEmpty()) {
			password = UUID.randomUUID().toString();
			// One line, ready to paste: the README's admin examples read $CHAT_ADMIN_PASSWORD.
			logger.warn("Generated an admin password (set chat.admin.password or CHAT_ADMIN_PASSWORD to choose one): "
					+ "export CHAT_ADMIN_PASSWORD='{}'", password);
		}
		return new InMemoryUserDetailsManager(
				User.withUsername(admin.username()).password("{noop}" + password).roles(ADMIN).build());
	}

}
