package io.imsystem.metrics;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.imsystem.protocol.ErrorCode;
import io.imsystem.protocol.LeaveReason;

import static org.assertj.core.api.Assertions.assertThat;

class ChatMetricsTests {

	@Test
	void theActiveGaugeReadsTheOnlineCountAtEachScrapeAndCountersCountByTag() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		AtomicInteger online = new AtomicInteger(3);
		ChatMetrics metrics = new ChatMetrics(meters, online::get);
		assertThat(meters.get("chat.sessions.active").gauge().value()).isEqualTo(3.0);
		online.set(5);
		assertThat(meters.get("chat.sessions.active").gauge().value()).isEqualTo(5.0);

		metrics.kicked(LeaveReason.IDLE);
		metrics.error(ErrorCode.values()[0]);
		assertThat(meters.get("chat.kicks").tag("reason", "idle").counter().count()).isEqualTo(1.0);
		assertThat(meters.get("chat.kicks").tag("reason", "admin").counter().count()).isEqualTo(0.0);
		assertThat(meters.get("chat.errors").tag("code", ErrorCode.values()[0].wire()).counter().count()).isEqualTo(1.0);
	}

	@Test
	void theLineConnectionsGaugeReadsTheGatewayAtEachScrape() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		AtomicInteger open = new AtomicInteger(2);
		new ChatMetrics(meters, () -> 0).lineConnections(open::get);
		assertThat(meters.get("chat.tcp.connections").gauge().value()).isEqualTo(2.0);
		open.set(0);
		assertThat(meters.get("chat.tcp.connections").gauge().value()).isZero();
	}

}
