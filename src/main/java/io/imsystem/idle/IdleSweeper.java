package io.imsystem.idle;

import java.time.Clock;

import io.imsystem.observability.ChatMetrics;

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

	@Scheduled(fixedDelayString = "${chat.idle.sweep-interval:1s}")
	public void sweep() {
		long started = System.nanoTime();
		this.tracker.sweep(this.clock.millis(), this.actions);
		this.metrics.sweep(System.nanoTime() - started);
	}

}
