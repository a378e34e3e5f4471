package io.imsystem.idle;

import java.time.Instant;

import io.imsystem.protocol.LeaveReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KickHistoryTests {

	@Test
	void keepsTheNewestFirstUpToItsCapacity() {
		KickHistory history = new KickHistory(3);
		for (int i = 1; i <= 5; i++) {
			history.record(kick("user" + i));
		}
		assertThat(history.records()).extracting(KickRecord::name).containsExactly("user5", "user4", "user3");
		assertThat(history.capacity()).isEqualTo(3);
	}

	@Test
	void recordsAreACopy() {
		KickHistory history = new KickHistory(10);
		history.record(kick("alice"));
		var records = history.records();
		history.record(kick("bob"));
		assertThat(records).extracting(KickRecord::name).containsExactly("alice");
	}

	private static KickRecord kick(String name) {
		Instant now = Instant.parse("2025-11-25T09:00:00Z");
		return new KickRecord(name, "127.0.0.1:50000", LeaveReason.IDLE, now.minusSeconds(600), now.minusSeconds(300),
				now, 300, null, "你被踢了", "node-a");
	}

}
