package io.imsystem.admin;

import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.ChatProperties;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;

/**
 * One administrator, HTTP Basic, stateless. The chat page and {@code /ws/chat} stay open; the admin
 * API, the console and every actuator endpoint but {@code health} and {@code prometheus} need the
 * administrator. CSRF tokens are off because nothing relies on a session cookie; a browser's cached
 * Basic credentials are guarded instead by refusing cross-site writes ({@link CrossSiteWriteFilter}).
 */
@Configuration(proxyBeanMethods = false)
class AdminSecurityConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(AdminSecurityConfiguration.class);

	static final String ADMIN = "ADMIN";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		AuthenticationEntryPoint unauthorized = (request, response, exception) -> {
			// A bare 401: no body that would tell a prober anything.
			response.setHeader("WWW-Authenticate", "Basic realm=\"im-system\"");
			response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
		};
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
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable())
			.addFilterBefore(new CrossSiteWriteFilter(),
					org.springframework.security.web.authentication.www.BasicAuthenticationFilter.class)
			.headers(Customizer.withDefaults());
		return http.build();
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
