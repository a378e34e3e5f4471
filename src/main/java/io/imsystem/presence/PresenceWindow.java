package io.imsystem.presence;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;

/**
 * Coalesces the room's presence changes (contract version 2, "Presence at scale"): every change of
 * one window reaches each session as ONE frame, so a room of N that fills up at once costs about N
 * frames per window instead of N²/2 frames.
 * <p>
 * A window opens with the first change after a quiet period and closes {@code window} later, so a
 * quiet room sees a join within one window. At the close, each recipient gets the changes it is
 * owed: those with a room version greater than its join version (the room-version rule applied
 * per change, so a session that joined mid-window gets none of the window's earlier changes, all
 * of its later ones, and never its own join, which it got right after its {@code welcome}). One
 * change gives the version-1 frame; several give a {@code batch}; above {@code namesLimit} online,
 * a {@code count} instead, only when the count changed since the last one sent. Each distinct
 * frame is built and encoded once, however many recipients share it.
 * <p>
 * Flushes run on the given scheduler, not on the caller's thread (the idle sweeper's kicks add
 * leaves here and return at once); only once that scheduler is shut down does {@link #add} deliver
 * at once, so that a stopping node's last changes still go out. No lock that {@link #add} needs is held while frames are handed
 * to the sessions' senders, which only queue.
 */
public final class PresenceWindow {

	private static final Logger logger = LoggerFactory.getLogger(PresenceWindow.class);

	private final long windowNanos;

	private final int namesLimit;

	private final Clock clock;

	private final Scheduler scheduler;

	private final Recipients recipients;

	private final Consumer<Flush> published;

	private Runnable onClose = () -> {
	};

	/** Guards {@link #pending}, {@link #online}, {@link #opened} and {@link #lastVersion}. */
	private final Object lock = new Object();

	private List<Versioned<PresenceChange>> pending = new ArrayList<>();

	private int online;

	/**
	 * The number of the open window, whose flush is scheduled, or 0 while none is: a scheduled
	 * flush whose window was already flushed by hand must not cut the next window short.
	 */
	private long opened;

	private long windows;

	private long lastVersion = Long.MIN_VALUE;

	/** Serializes deliveries, so windows reach every session in order; never taken by {@link #add}. */
	private final Object deliveryLock = new Object();

	/** The greatest version delivered to this node's sessions; written under {@link #deliveryLock}. */
	private volatile long deliveredVersion = Long.MIN_VALUE;

	/** The {@code online} of the last {@code count} frame sent, or -1 while names are sent. */
	private int lastCountSent = -1;

	/**
	 * @param window how long a window stays open ({@code chat.presence.window})
	 * @param namesLimit above this many online, {@code count} frames instead of names
	 * ({@code chat.presence.names-limit})
	 * @param clock stamps each change with the time it happened
	 * @param scheduler runs the flushes; see {@link #newScheduler()}
	 * @param recipients this node's sessions
	 * @param published gets each window's changes as one value before they are delivered here
	 * (cluster mode publishes it to the other nodes); may do nothing
	 */
	public PresenceWindow(Duration window, int namesLimit, Clock clock, ScheduledExecutorService scheduler,
			Recipients recipients, Consumer<Flush> published) {
		this(window, namesLimit, clock,
				(task, delayNanos) -> scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS), recipients,
				published);
		this.onClose = scheduler::shutdownNow;
	}

	public PresenceWindow(Duration window, int namesLimit, Clock clock, Scheduler scheduler, Recipients recipients,
			Consumer<Flush> published) {
		if (window.isZero() || window.isNegative()) {
			throw new IllegalArgumentException("the presence window must be positive, was " + window);
		}
		this.windowNanos = window.toNanos();
		this.namesLimit = namesLimit;
		this.clock = Objects.requireNonNull(clock);
		this.scheduler = Objects.requireNonNull(scheduler);
		this.recipients = Objects.requireNonNull(recipients);
		this.published = Objects.requireNonNull(published);
	}

	/** A single daemon thread for the flushes of one window, apart from the idle sweeper's. */
	public static ScheduledExecutorService newScheduler() {
		return Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "presence-window");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Records a change. Call it in room-version order, under the lock that assigns the versions
	 * (the one that makes the membership change), so that the window's order is the room's order.
	 * @param version the change's room version: greater than every earlier change's; a session
	 * gets the change only if it joined at a smaller version (a joiner's own join has exactly its
	 * join version, so it never gets it from here)
	 * @param change what happened
	 * @param online how many are online after it
	 * @throws IllegalArgumentException if {@code version} is not greater than the last one
	 */
	public void add(long version, PresenceChange change, int online) {
		Objects.requireNonNull(change);
		long now = this.clock.millis();
		long window = 0;
		synchronized (this.lock) {
			if (version <= this.lastVersion) {
				throw new IllegalArgumentException(
						"presence change at version " + version + " after version " + this.lastVersion);
			}
			this.lastVersion = version;
			this.pending.add(new Versioned<>(version, now, change));
			this.online = online;
			if (this.opened == 0) {
				window = ++this.windows;
				this.opened = window;
			}
		}
		if (window != 0) {
			long scheduledWindow = window;
			try {
				this.scheduler.schedule(() -> flushScheduled(scheduledWindow), this.windowNanos);
			}
			catch (RejectedExecutionException ex) {
				// The scheduler is shut down (the node is stopping): deliver now rather than never.
				flush(scheduledWindow);
			}
		}
	}

	/**
	 * Stops the scheduler given to the constructor, if any: from then on each change is delivered
	 * as it is added.
	 */
	public void close() {
		this.onClose.run();
	}

	/**
	 * Closes the current window now and delivers it: what the scheduler runs at each window's end,
	 * and what shutdown may call to send what is pending. Does nothing when no change is pending.
	 */
	public void flush() {
		flush(0);
	}

	/**
	 * Closes the current window now if the change of this version has not been delivered yet, so
	 * that what the caller sends next reaches every session after it. Returns once it has been
	 * handed to every session's sender, by this call or by the flush already under way.
	 */
	public void flushThrough(long version) {
		if (this.deliveredVersion < version) {
			flush(0);
		}
	}

	/** Flushes window number {@code window} if it is still open, or whatever is pending for 0. */
	private void flush(long window) {
		synchronized (this.deliveryLock) {
			Flush flush;
			synchronized (this.lock) {
				if (window != 0 && window != this.opened) {
					return;
				}
				this.opened = 0;
				if (this.pending.isEmpty()) {
					return;
				}
				flush = new Flush(this.pending, this.online);
				this.pending = new ArrayList<>();
			}
			try {
				this.published.accept(flush);
			}
			catch (RuntimeException ex) {
				// This node's sessions still get the window: a broker that failed loses it for the
				// other nodes only (cluster mode's at-most-once).
				logger.warn("Could not publish a presence window of {} changes", flush.changes().size(), ex);
			}
			deliver(flush);
			this.deliveredVersion = flush.changes().get(flush.changes().size() - 1).version();
		}
	}

	/** A scheduler swallows what its tasks throw: a bug here must show in the log. */
	private void flushScheduled(long window) {
		try {
			flush(window);
		}
		catch (RuntimeException ex) {
			logger.error("Presence window flush failed", ex);
		}
	}

	/**
	 * Sends one window's changes to this node's recipients: each gets ONE frame with the changes
	 * whose version is greater than its join version, or nothing if there are none.
	 */
	void deliver(Flush flush) {
		List<Versioned<PresenceChange>> changes = flush.changes();
		Envelope count = null;
		if (flush.online() > this.namesLimit) {
			if (flush.online() == this.lastCountSent) {
				return;
			}
			this.lastCountSent = flush.online();
			count = new Envelope(new ServerEvent.PresenceCount(flush.online(), flush.ts()));
		}
		else {
			this.lastCountSent = -1;
		}
		// One frame per distinct suffix of the window; recipients that joined before the window
		// all share the first. Built lazily: most windows have no mid-window joiner.
		Envelope[] bySuffix = new Envelope[changes.size()];
		long firstVersion = changes.get(0).version();
		long lastVersion = changes.get(changes.size() - 1).version();
		for (Recipient recipient : this.recipients.recipients()) {
			long joined = recipient.joinVersion();
			if (joined >= lastVersion) {
				continue;
			}
			if (count != null) {
				recipient.send(count);
				continue;
			}
			int from = (joined < firstVersion) ? 0 : firstAfter(changes, joined);
			Envelope frame = bySuffix[from];
			if (frame == null) {
				frame = frame(changes.subList(from, changes.size()), flush.online(), flush.ts());
				bySuffix[from] = frame;
			}
			recipient.send(frame);
		}
	}

	/** The index of the first change with a version greater than {@code version}; there is one. */
	private static int firstAfter(List<Versioned<PresenceChange>> changes, long version) {
		int low = 0;
		int high = changes.size() - 1;
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (changes.get(middle).version() > version) {
				high = middle;
			}
			else {
				low = middle + 1;
			}
		}
		return low;
	}

	private static Envelope frame(List<Versioned<PresenceChange>> changes, int online, long ts) {
		if (changes.size() == 1) {
			Versioned<PresenceChange> only = changes.get(0);
			return new Envelope(only.value().toEvent(online, only.ts()));
		}
		List<PresenceChange> values = new ArrayList<>(changes.size());
		for (Versioned<PresenceChange> change : changes) {
			values.add(change.value());
		}
		return new Envelope(new ServerEvent.PresenceBatch(values, online, ts));
	}

	/** A session of this node, as the window sees it. */
	public interface Recipient {

		/** The room version at which the session joined. */
		long joinVersion();

		/** Queues a frame for the session without waiting for it to be written. */
		void send(Envelope envelope);

	}

	/** This node's live sessions, read once per window. */
	@FunctionalInterface
	public interface Recipients {

		Iterable<? extends Recipient> recipients();

	}

	/** When to run a window's flush; a test runs it by hand. */
	@FunctionalInterface
	public interface Scheduler {

		void schedule(Runnable task, long delayNanos);

	}

	/**
	 * A value with the room version and the time (epoch milliseconds) of its change.
	 *
	 * @param <T> the value
	 */
	public record Versioned<T>(long version, long ts, T value) {
	}

	/**
	 * One window's presence changes, in order, as one value: what a node publishes to the others.
	 * {@code online} is the count after the last change.
	 */
	public record Flush(List<Versioned<PresenceChange>> changes, int online) {

		public Flush {
			changes = List.copyOf(changes);
			if (changes.isEmpty()) {
				throw new IllegalArgumentException("a window without changes is not flushed");
			}
		}

		/** The time of the window's last change: the {@code ts} of its frame. */
		public long ts() {
			return this.changes.get(this.changes.size() - 1).ts();
		}

		/**
		 * The frame for a session that had joined before the window: the version-1 frame of its
		 * one change, a {@code batch}, or above {@code namesLimit} online a {@code count}. What
		 * another node delivers for this window (each node's own windows send a count only when
		 * it changed; a window of another node may repeat one).
		 */
		public Envelope frame(int namesLimit) {
			if (this.online > namesLimit) {
				return new Envelope(new ServerEvent.PresenceCount(this.online, ts()));
			}
			return PresenceWindow.frame(this.changes, this.online, ts());
		}

	}

}
