package io.imsystem.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ErrorEventTests {

	@Test
	void theCauseIsNotOnTheJsonWireOnlyItsCode() {
		assertThat(JsonEncoding.INSTANCE.encode(new ServerEvent.Error(ErrorCause.NO_RECIPIENT, "no recipient given", 1))
			.text()).isEqualTo("{\"type\":\"error\",\"code\":\"unknown-user\",\"message\":\"no recipient given\",\"ts\":1}");
	}

	@Test
	void aCodeAloneMeansItsGeneralCauseAndACauseMustMatchItsCode() {
		assertThat(new ServerEvent.Error(ErrorCode.UNKNOWN_USER, "no user named zoe", 1).cause())
			.isEqualTo(ErrorCause.UNKNOWN_USER);
		for (ErrorCode code : ErrorCode.values()) {
			assertThat(ErrorCause.of(code).code()).isEqualTo(code);
		}
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ServerEvent.Error(ErrorCode.BAD_JSON, "x", 1, ErrorCause.NO_RECIPIENT));
	}

}
