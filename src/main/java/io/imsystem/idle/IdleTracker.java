package io.imsystem.idle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

import io.imsystem.session.ChatSession;

/**
 * Knows when each session next needs a look: its idle warning or its kick. Sessions wait in one
 * queue ordered by that time, so a sweep in which nothing is due costs one peek, however many
 * sessions there are.
 * <p>
 * Activity does not touch the queue: a message only writes the session's last-activity time. When
 * a session's turn comes, its real deadline is computed from that time; if it was active meanwhile,
 * it simply goes back in the queue at its new deadline. An active session is therefore looked at
 * about once per timeout, not once per message or once per sweep.
 * <p>
 * A session already warned is looked at again no later than {@code timeout - warning} after the
 * warning, so that a warning due after fresh activity is not held back until the old deadline.
 */
public final class IdleTracker {

	private static final Comparator<Due> ORDER = Comparator.comparingLong(Due::at).thenComparingLong(Due::seq);

	private static final Due LOWEST = new Due(Long.MIN_VALUE, Long.MIN_VALUE, null);

	private final IdlePolicy policy;

	private final ConcurrentSkipListSet<Due> queue = new ConcurrentSkipListSet<>(ORDER);

	private final ConcurrentHashMap<String, Tracked> tracked = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	private volatile long policyVersion;

	public IdleTracker(IdlePolicy policy) {
		this.policy = policy;
		this.policyVersion = policy.settings().version();
	}

	/** Starts watching a session that has just joined. */
	public void track(ChatSession session) {
		Tracked entry = new Tracked(session);
		this.tracked.put(session.id(), entry);
		synchronized (entry) {
			schedule(entry, session.lastActivityAt());
		}
	}

	/** Stops watching a session that has left. */
	public void untrack(ChatSession session) {
		Tracked entry = this.tracked.remove(session.id());
		if (entry != null) {
			synchronized (entry) {
				unschedule(entry);
				entry.gone = true;
			}
		}
	}

	/** Looks at a session again at the next sweep, after its own timeout changed. */
	public void reschedule(ChatSession session) {
		Tracked entry = this.tracked.get(session.id());
		if (entry != null) {
			reschedule(entry);
		}
	}

	/** How many sessions are watched. */
	public int size() {
		return this.tracked.size();
	}

	/**
	 * Warns and expires the sessions that are due at {@code now}, and re-queues the others that
	 * came up. Called by one thread at a time.
	 */
	public void sweep(long now, IdleActions actions) {
		long version = this.policy.settings().version();
		if (version != this.policyVersion) {
			this.policyVersion = version;
			// The global timeout changed: every deadline may have moved, earlier or later.
			this.tracked.values().forEach(this::reschedule);
		}
		List<IdleActions.Expired> expired = new ArrayList<>();
		for (Due due = first(); due != null && due.at() <= now; due = first()) {
			if (!this.queue.remove(due)) {
				continue;
			}
			Tracked entry = due.entry();
			synchronized (entry) {
				if (entry.due != due || entry.gone) {
					continue;
				}
				entry.due = null;
				evaluate(entry, now, actions, expired);
			}
		}
		if (!expired.isEmpty()) {
			actions.expire(expired, now);
		}
	}

	private void evaluate(Tracked entry, long now, IdleActions actions, List<IdleActions.Expired> expired) {
		ChatSession session = entry.session;
		long lastActivity = session.lastActivityAt();
		Duration timeout = this.policy.timeoutFor(session);
		long timeoutMillis = timeout.toMillis();
		long deadline = lastActivity + timeoutMillis;
		if (now >= deadline) {
			// Left unscheduled: the kick ends the session, and ending it untracks it.
			expired.add(new IdleActions.Expired(session, deadline));
			return;
		}
		long warningMillis = this.policy.warningFor(timeout).toMillis();
		if (warningMillis == 0) {
			schedule(entry, deadline);
			return;
		}
		long warnAt = deadline - warningMillis;
		if (entry.warnedFor != lastActivity) {
			if (now < warnAt) {
				schedule(entry, warnAt);
				return;
			}
			entry.warnedFor = lastActivity;
			actions.warn(session, ceilSeconds(deadline - now));
		}
		// Warned for this idle stretch. Activity does not requeue the session, so the next look
		// must come no later than the earliest next warning: activity right now would make it due
		// at now + (timeout - warning), which is before the deadline when the warning is more than
		// half the timeout.
		schedule(entry, Math.min(deadline, now + timeoutMillis - warningMillis));
	}

	private void reschedule(Tracked entry) {
		synchronized (entry) {
			if (!entry.gone) {
				unschedule(entry);
				// Due at once: the next sweep computes the real time from the current policy.
				schedule(entry, Long.MIN_VALUE);
			}
		}
	}

	private void schedule(Tracked entry, long at) {
		Due due = new Due(at, this.sequence.incrementAndGet(), entry);
		entry.due = due;
		this.queue.add(due);
	}

	private void unschedule(Tracked entry) {
		if (entry.due != null) {
			this.queue.remove(entry.due);
			entry.due = null;
		}
	}

	private Due first() {
		return this.queue.ceiling(LOWEST);
	}

	private static long ceilSeconds(long millis) {
		return Math.max(1, (millis + 999) / 1000);
	}

	private record Due(long at, long seq, Tracked entry) {
	}

	private static final class Tracked {

		final ChatSession session;

		Due due;

		/** The last-activity time of the idle stretch already warned about. */
		long warnedFor = Long.MIN_VALUE;

		boolean gone;

		Tracked(ChatSession session) {
			this.session = session;
		}

	}

}
