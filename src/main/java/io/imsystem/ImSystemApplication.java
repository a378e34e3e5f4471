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

	public static void main(String[] args) {
		SpringApplication.run(ImSystemApplication.class, args);
	}

}
