package io.imsystem.idle;

import java.time.Instant;

import io.imsystem.protocol.LeaveReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KickHistoryTests {

	@Test
	void keepsTheNewestFirstUpToItsCapacity() {
		KickHistory history = new InMemoryKickHistory(3);
		for (int i = 1; i <= 5; i++) {
			history.record(kick("user" + i, LeaveReason.IDLE));
		}
		assertThat(history.newest(10)).extracting(KickRecord::name).containsExactly("user5", "user4", "user3");
		assertThat(history.newest(2)).extracting(KickRecord::name).containsExactly("user5", "user4");
		assertThat(history.capacity()).isEqualTo(3);
	}

	@Test
	void findsByReasonAndByNameCaseInsensitivelyNewestFirst() {
		KickHistory history = new InMemoryKickHistory(10);
		history.record(kick("alice", LeaveReason.IDLE));
		history.record(kick("bob", LeaveReason.ADMIN));
		history.record(kick("Alice", LeaveReason.ADMIN));
		history.record(kick("carol", LeaveReason.ADMIN));
		assertThat(history.newest(2, LeaveReason.ADMIN)).extracting(KickRecord::name).containsExactly("carol", "Alice");
		assertThat(history.newest(10, LeaveReason.SLOW)).isEmpty();
		assertThat(history.ofName("ALICE", 10)).extracting(KickRecord::reason)
			.containsExactly(LeaveReason.ADMIN, LeaveReason.IDLE);
		assertThat(history.ofName("alice", 1)).extracting(KickRecord::name).containsExactly("Alice");
		assertThat(history.ofName("nobody", 10)).isEmpty();
	}

	@Test
	void queriesReturnACopy() {
		KickHistory history = new InMemoryKickHistory(10);
		history.record(kick("alice", LeaveReason.IDLE));
		var records = history.newest(10);
		history.record(kick("bob", LeaveReason.IDLE));
		assertThat(records).extracting(KickRecord::name).containsExactly("alice");
	}

	private static KickRecord kick(String name, LeaveReason reason) {
		Instant now = Instant.parse("2025-11-25T09:00:00Z");
		return new KickRecord(name, "127.0.0.1:50000", reason, now.minusSeconds(600), now.minusSeconds(300), now, 300,
				null, "你被踢了", "node-a");
	}

}
