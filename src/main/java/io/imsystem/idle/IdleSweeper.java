package io.imsystem.idle;

import java.time.Clock;

import io.imsystem.metrics.ChatMetrics;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every {@code chat.idle.sweep-interval}, kicks the sessions idle past their timeout and warns
 * those about to be. A session is never kicked before its timeout and at most one interval after.
 */
@Component
public class IdleSweeper {

	private final IdleTracker tracker;

	private final IdleActions actions;

	private final ChatMetrics metrics;

	private final Clock clock;

	public IdleSweeper(IdleTracker tracker, IdleActions actions, ChatMetrics metrics, Clock clock) {
		this.tracker = tracker;
		this.actions = actions;
		this.metrics = metrics;
		this.clock = clock;
	}

	/** At a fixed rate, not a fixed delay: a slow sweep must not push every later kick back. */
	@Scheduled(fixedRateString = "${chat.idle.sweep-interval:1s}")
	public void sweep() {
		long started = System.nanoTime();
		this.tracker.sweep(this.clock.millis(), this.actions);
		this.metrics.sweep(System.nanoTime() - started);
	}

}
