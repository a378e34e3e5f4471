package io.imsystem.observability;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.imsystem.idle.InMemoryKickHistory;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.protocol.LeaveReason;

import static org.assertj.core.api.Assertions.assertThat;

class KicksEndpointTests {

	@Test
	void listsAllKicksNewestFirstAndSelectsOneUserCaseInsensitively() {
		KickHistory history = new InMemoryKickHistory(10);
		history.record(kick("alice", LeaveReason.IDLE));
		history.record(kick("bob", LeaveReason.ADMIN));
		history.record(kick("Alice", LeaveReason.SLOW));
		KicksEndpoint endpoint = new KicksEndpoint(history);

		assertThat(endpoint.kicks().kicks()).extracting(KickRecord::name).containsExactly("Alice", "bob", "alice");
		assertThat(endpoint.kicksOf("ALICE").kicks()).extracting(KickRecord::reason)
			.containsExactly(LeaveReason.SLOW, LeaveReason.IDLE);
		assertThat(endpoint.kicksOf("nobody").kicks()).isEmpty();
	}

	private static KickRecord kick(String name, LeaveReason reason) {
		Instant at = Instant.parse("2026-11-25T12:00:00Z");
		return new KickRecord(name, "127.0.0.1:5000", reason, at, at, at.plusSeconds(300), 300, null, "bye", "node-a");
	}

}
