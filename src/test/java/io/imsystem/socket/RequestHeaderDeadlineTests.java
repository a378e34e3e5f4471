package io.imsystem.socket;

import java.time.Duration;

import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.imsystem.session.AddressLimiter;
import io.imsystem.support.MutableClock;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * When a connection's request headers are late, with a clock the test moves. The timeout is an
 * hour, so the reaper's own sweeps (once a second) find nothing due unless the test moved the
 * clock past it, and then they agree with the test's sweep.
 */
class RequestHeaderDeadlineTests {

	private static final Duration TIMEOUT = Duration.ofHours(1);

	private final MutableClock clock = new MutableClock(1_700_000_000_000L);

	private final RequestHeaderDeadline deadline = new RequestHeaderDeadline(new AddressLimiter(100), this.clock,
			TIMEOUT);

	private final NioEndpoint endpoint = mock(NioEndpoint.class);

	@SuppressWarnings("unchecked")
	private final SocketWrapperBase<NioChannel> wrapper = mock(SocketWrapperBase.class);

	@AfterEach
	void close() {
		this.deadline.close();
	}

	@Test
	void aConnectionThatSendsNothingIsClosedATimeoutAfterItsAccept() {
		accept();
		this.clock.advance(TIMEOUT.toMillis());

		this.deadline.sweep();

		verify(this.endpoint, atLeastOnce()).processSocket(eq(this.wrapper), eq(SocketEvent.ERROR), eq(true));
	}

	@Test
	void aRequestWaitingInTomcatsQueueIsNotClosedHoweverLongItWaits() {
		accept();
		// Its bytes came and were handed to a worker; no worker has taken them yet.
		this.deadline.dispatched(this.wrapper);
		this.clock.advance(TIMEOUT.multipliedBy(3).toMillis());

		this.deadline.sweep();

		verify(this.endpoint, never()).processSocket(any(), any(), eq(true));
	}

	@Test
	void aRequestSeenPartReadIsClosedATimeoutAfterItWasFirstSeenSo() {
		accept();
		this.deadline.dispatched(this.wrapper);
		this.clock.advance(TIMEOUT.multipliedBy(2).toMillis());
		Http11Processor reading = mock(Http11Processor.class);
		given(this.wrapper.getCurrentProcessor()).willReturn(reading);
		this.deadline.sweep();
		verify(this.endpoint, never()).processSocket(any(), any(), eq(true));

		this.clock.advance(TIMEOUT.toMillis());
		this.deadline.sweep();

		verify(this.endpoint, atLeastOnce()).processSocket(eq(this.wrapper), eq(SocketEvent.ERROR), eq(true));
	}

	private void accept() {
		RequestHeaderDeadline.Tracked tracked = this.deadline.accept("127.0.0.1", 40000);
		this.deadline.attach(tracked, this.wrapper, this.endpoint);
	}

}
