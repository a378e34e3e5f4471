package io.imsystem.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CloseCodeTests {

	@Test
	void codesAreDistinctAndReasonsFitInACloseFrame() {
		assertThat(Arrays.stream(CloseCode.values()).mapToInt(CloseCode::code).distinct().count())
			.isEqualTo(CloseCode.values().length);
		for (CloseCode code : CloseCode.values()) {
			assertThat(code.code()).as(code.name()).isBetween(1000, 4999);
			assertThat(code.reason().getBytes(StandardCharsets.UTF_8).length).as(code.name()).isLessThanOrEqualTo(123);
		}
	}

	@Test
	void aRemoteCloseForAProtocolViolationIsAnErrorAndAnythingElseAQuit() {
		for (CloseCode violation : new CloseCode[] { CloseCode.PROTOCOL_ERROR, CloseCode.BINARY_NOT_ACCEPTED,
				CloseCode.BAD_DATA, CloseCode.TOO_BIG }) {
			assertThat(CloseCode.leaveReasonForRemoteClose(violation.code())).as(violation.name())
				.isEqualTo(LeaveReason.ERROR);
		}
		for (int code : new int[] { 1000, 1001, 1006, 1011, 4000, 4999 }) {
			assertThat(CloseCode.leaveReasonForRemoteClose(code)).as("%d", code).isEqualTo(LeaveReason.QUIT);
		}
	}

	@Test
	void theContractDocumentsEveryCloseCodeTheServerSends() throws IOException {
		String contract = Files.readString(Path.of("docs/protocol.md"));
		String table = contract.substring(contract.indexOf("## Close codes"));
		table = table.substring(0, table.indexOf("\n## ", 1));
		for (CloseCode code : CloseCode.values()) {
			assertThat(table).as(code.name()).containsPattern("\\n\\|[^\\n]*\\b" + code.code() + "\\b[^\\n]*\\|");
		}
	}

}
