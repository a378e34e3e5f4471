package io.imsystem;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A WebSocket chat server rebuilt from the classic Go "IM system" teaching project, whose defining
 * feature is idle-session eviction.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ImSystemApplication {

	/** Size of three buffers Tomcat's WebSocket code keeps per connection (8 KiB by default). */
	static final String TOMCAT_WEBSOCKET_BUFFER = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

	public static void main(String[] args) {
		// Read once, when Tomcat's WebSocket classes load. Larger events go out as several fragments.
		if (System.getProperty(TOMCAT_WEBSOCKET_BUFFER) == null) {
			System.setProperty(TOMCAT_WEBSOCKET_BUFFER, "1024");
		}
		SpringApplication.run(ImSystemApplication.class, args);
	}

}
