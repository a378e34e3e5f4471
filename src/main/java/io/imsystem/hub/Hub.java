package io.imsystem.hub;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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

	private final ConcurrentHashMap<String, ChatSession> byId = new ConcurrentHashMap<>();

	private final AtomicLong version = new AtomicLong();

	/** While set, room events are not delivered here: every local session is on its way out. */
	private volatile boolean closing;

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
		for (ChatSession session : this.byId.values()) {
			if (session != except && session.isLive() && session.joinVersion() <= asOf) {
				session.send(envelope);
			}
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
