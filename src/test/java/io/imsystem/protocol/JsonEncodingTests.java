package io.imsystem.protocol;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonEncodingTests {

	@Test
	void anEventWithALoneSurrogateEncodesToTextThatUtf8CanCarry() {
		JsonEncoding.Frame frame = JsonEncoding.INSTANCE
			.encode(new ServerEvent.Kicked(LeaveReason.ADMIN, "bye \uD800", 1));
		assertThat(frame.text()).isEqualTo("{\"type\":\"kicked\",\"reason\":\"admin\",\"message\":\"bye \uFFFD\",\"ts\":1}");
		assertThat(frame.bytes()).isEqualTo(frame.text().getBytes(StandardCharsets.UTF_8).length);
	}

}
