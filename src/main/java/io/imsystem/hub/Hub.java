package io.imsystem.hub;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.protocol.Envelope;
import io.imsystem.session.ChatSession;

/**
 * The sessions connected to this node, by id, and the delivery of room events to them. It knows no
 * names (see {@code presence.NameDirectory}) and nothing of other nodes.
 * <p>
 * The room version: each admission to the hub, and each other presence change ({@link #advance}),
 * takes the next version, and an event is delivered
 * as of a version ({@link #deliver}): only to sessions admitted by then, so an event never reaches
 * a session that joined after it, however late the delivering thread runs; that session's welcome
 * already counted the room as it was. An event made on this node is delivered as of the
 * {@link #stamp} taken when it was made; one from another node as of its arrival (see
 * {@code broker.RoomEvent}).
 */
public final class Hub {

	/** Sessions whose writes one fan-out task starts. */
	static final int CHUNK = 512;

	private static final Logger logger = LoggerFactory.getLogger(Hub.class);

	private final ConcurrentHashMap<String, ChatSession> byId = new ConcurrentHashMap<>();

	/** Starts the writes of broadcasts to large rooms, or {@code null}: all from the caller. */
	private final ExecutorService fanOut;

	private final int parallelAbove;

	private final AtomicLong version = new AtomicLong();

	/** While set, room events are not delivered here: every local session is on its way out. */
	private volatile boolean closing;

	/** A hub that writes every broadcast from the delivering thread. */
	public Hub() {
		this.fanOut = null;
		this.parallelAbove = Integer.MAX_VALUE;
	}

	private Hub(ExecutorService fanOut, int parallelAbove) {
		this.fanOut = fanOut;
		this.parallelAbove = parallelAbove;
	}

	/**
	 * A hub with a fan-out pool of {@code threads} daemon threads for broadcasts to more than
	 * {@code parallelAbove} sessions ({@code chat.session.fan-out-above}); {@link #close} stops it.
	 * Such a broadcast only queues its event for each recipient, and the pool starts the writes,
	 * {@link #CHUNK} sessions per task. Starting a write is a socket write when the connection is
	 * idle, tens of microseconds under load: 19,000 of them kept the sender's own thread (its
	 * session lane) busy for about a second, and its next command, a {@code who}, waited behind its
	 * own chat (bench/run.sh storm --clients 19000).
	 */
	public static Hub withFanOut(int threads, int parallelAbove) {
		AtomicInteger count = new AtomicInteger();
		return new Hub(Executors.newFixedThreadPool(threads, (task) -> {
			Thread thread = new Thread(task, "fan-out-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}), parallelAbove);
	}

	/** Stops the fan-out pool, if any; broadcasts still pending in it are written by nobody. */
	public void close() {
		if (this.fanOut != null) {
			this.fanOut.shutdownNow();
		}
	}

	/**
	 * Adds a session.
	 * @return the room version of its admission: it receives the events stamped at or after it
	 */
	public long add(ChatSession session) {
		this.byId.put(session.id(), session);
		return this.version.incrementAndGet();
	}

	/**
	 * Takes the next room version for a presence change other than an admission (a leave, a
	 * rename): sessions admitted after it will not get it, sessions admitted before it will.
	 */
	public long advance() {
		return this.version.incrementAndGet();
	}

	/** @return whether the session was here */
	public boolean remove(ChatSession session) {
		return this.byId.remove(session.id(), session);
	}

	/** The session with this id, or {@code null}. */
	public ChatSession find(String id) {
		return this.byId.get(id);
	}

	/** A live view: iterating it takes no lock and sees sessions added or removed meanwhile or not. */
	public Collection<ChatSession> sessions() {
		return Collections.unmodifiableCollection(this.byId.values());
	}

	public int size() {
		return this.byId.size();
	}

	/**
	 * The room version now: an event made now on this node, or arriving now from another node, is
	 * delivered as of it; see {@link #deliver}.
	 */
	public long stamp() {
		return this.version.get();
	}

	/**
	 * Hands the one envelope to each live local session admitted by version {@code asOf}: all but
	 * {@code exceptId}, or only {@code onlyId}, when not {@code null}. No lock is held; each sender
	 * only queues, so a slow client delays nobody, and the envelope encodes itself once per
	 * transport whatever the number of recipients.
	 */
	public void deliver(Envelope envelope, String exceptId, String onlyId, long asOf) {
		if (this.closing) {
			return;
		}
		if (onlyId != null) {
			ChatSession session = this.byId.get(onlyId);
			if (session != null && session.isLive() && session.joinVersion() <= asOf) {
				session.send(envelope);
			}
			return;
		}
		// Resolved once, so that each recipient costs a reference comparison, as before ids.
		ChatSession except = (exceptId != null) ? this.byId.get(exceptId) : null;
		// In a large room each event is queued here, in the order of this call, and the pool starts
		// the writes: a recipient still gets it before anything queued for it later.
		boolean pooled = this.fanOut != null && this.byId.size() > this.parallelAbove;
		ChatSession[] chunk = pooled ? new ChatSession[CHUNK] : null;
		int count = 0;
		for (ChatSession session : this.byId.values()) {
			if (session == except || !session.isLive() || session.joinVersion() > asOf) {
				continue;
			}
			if (!pooled) {
				session.send(envelope);
				continue;
			}
			session.hold(envelope);
			chunk[count++] = session;
			if (count == CHUNK) {
				startWrites(chunk, count);
				chunk = new ChatSession[CHUNK];
				count = 0;
			}
		}
		if (count > 0) {
			startWrites(chunk, count);
		}
	}

	private void startWrites(ChatSession[] sessions, int count) {
		Runnable writes = () -> {
			for (int i = 0; i < count; i++) {
				try {
					sessions[i].release();
				}
				catch (RuntimeException ex) {
					// One session's failure (its sender reports its own) must not hold up the rest.
					logger.debug("Could not start the writes of {}", sessions[i], ex);
				}
			}
		};
		try {
			this.fanOut.execute(writes);
		}
		catch (RejectedExecutionException ex) {
			// The node is stopping: write from here rather than leave the events queued.
			writes.run();
		}
	}

	/**
	 * Stops (with {@code true}) or resumes local delivery. At shutdown every local session is
	 * kicked; the leaves still go to the broker, for the users of other nodes, but delivering each
	 * of thousands of leaves to thousands of ended local sessions would be quadratic work for nobody.
	 */
	public void closing(boolean closing) {
		this.closing = closing;
	}

	/** Whether local delivery is stopped; see {@link #closing(boolean)}. */
	public boolean isClosing() {
		return this.closing;
	}

}
