package io.imsystem.idle;

import java.time.Clock;

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

	private final Clock clock;

	public IdleSweeper(IdleTracker tracker, IdleActions actions, Clock clock) {
		this.tracker = tracker;
		this.actions = actions;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${chat.idle.sweep-interval:1s}")
	public void sweep() {
		this.tracker.sweep(this.clock.millis(), this.actions);
	}

}
