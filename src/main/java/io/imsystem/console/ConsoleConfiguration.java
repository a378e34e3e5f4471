package io.imsystem.console;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the admin console, a static page, at {@code /admin}. A forward rather than a redirect, so
 * that the address the administrator types is the one they keep; the security rules guard
 * {@code /admin} and everything under it alike.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {

	static final String PAGE = "/admin/index.html";

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addViewController("/admin").setViewName("forward:" + PAGE);
		registry.addViewController("/admin/").setViewName("forward:" + PAGE);
	}

}
