package io.imsystem.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.hub.Hub;
import io.imsystem.presence.LocalPresence;
import io.imsystem.presence.NameDirectory;
import io.imsystem.presence.NameDirectory.Owner;
import io.imsystem.presence.Presence;
import io.imsystem.session.ChatSession;
import io.imsystem.session.Names;

/**
 * This node's sessions under their names: the {@link Hub} holds the sessions, the
 * {@link NameDirectory} the names, the {@link Presence} what the other nodes read of them, and
 * this class keeps the three in step. A session comes in and goes out only here. No lock is held
 * while anything is written to a client.
 * <p>
 * In cluster mode the directory and the presence live in Redis. A failed name claim or move
 * propagates (the caller answers {@code unavailable}); a failed presence write or name release does
 * not: the session's own node is the truth about it, and what Redis missed is written again when
 * the link comes back ({@code cluster.ClusterNode}).
 */
public final class Roster {

	private static final Logger logger = LoggerFactory.getLogger(Roster.class);

	private final Hub hub;

	private final NameDirectory names;

	private final Presence presence;

	private final String node;

	/** Names of sessions gone while the directory could not be reached, to free later. */
	private final Queue<Unreleased> unreleased = new ConcurrentLinkedQueue<>();

	/** One node: the presence is read from the hub's sessions as they are. */
	public Roster(Hub hub, NameDirectory names, String node) {
		this(hub, names, new LocalPresence(hub.sessions(), node), node);
	}

	public Roster(Hub hub, NameDirectory names, Presence presence, String node) {
		this.hub = hub;
		this.names = names;
		this.presence = presence;
		this.node = node;
	}

	/**
	 * Adds a session under the given name: {@link #claim}, then {@link #enter}.
	 * @return its room version (positive, see {@link Hub#add}), or 0, and nothing changes, if the
	 * name is taken
	 */
	public long add(ChatSession session, String name) {
		return claim(session, name) ? enter(session) : 0;
	}

	/**
	 * Claims a name for a session that is not in the room yet.
	 * @return whether it got the name; if not, nothing changed
	 */
	public boolean claim(ChatSession session, String name) {
		// Named before it is claimed, so a lookup never sees a nameless session.
		session.name(name);
		return this.names.claim(name, owner(session));
	}

	/**
	 * Claims a name for a session that does not exist yet (its handshake is under way).
	 * @return whether it got the name; if not, nothing changed
	 */
	public boolean claim(String sessionId, String name) {
		return this.names.claim(name, new Owner(this.node, sessionId));
	}

	/** Frees a name {@link #claim(String, String) claimed} for a session that never opened. */
	public void release(String sessionId, String name) {
		release(name, new Owner(this.node, sessionId));
	}

	/**
	 * Puts a session that has {@link #claim claimed} its name into the hub.
	 * @return its room version, see {@link Hub#add}
	 */
	public long enter(ChatSession session) {
		return this.hub.add(session);
	}

	/**
	 * Lists a session that {@link #enter entered} in the presence, before its welcome goes out, so
	 * that whoever it meets next already counts it. A session that left meanwhile is taken out again.
	 */
	public void list(ChatSession session) {
		if (writePresence(session) && !contains(session)) {
			unlist(session);
		}
	}

	/** Writes the session's member again: its own timeout changed. */
	public void updated(ChatSession session) {
		synchronized (session) {
			if (contains(session)) {
				writePresence(session);
			}
		}
	}

	/** Notes a session's activity for the presence (no waiting on anything). */
	public void touched(ChatSession session, long at) {
		this.presence.touched(session.id(), at);
	}

	/** Frees the name of a session that claimed it but never {@link #enter entered}. */
	public void release(ChatSession session) {
		release(session.name(), owner(session));
	}

	/**
	 * Frees the names whose release failed while the shared directory could not be reached (the
	 * owner-only release cannot free a name someone else holds now); what fails again is kept.
	 */
	public void retryReleases() {
		for (int i = this.unreleased.size(); i > 0; i--) {
			Unreleased name = this.unreleased.poll();
			if (name == null) {
				return;
			}
			release(name.name(), name.owner());
		}
	}

	private void release(String name, Owner owner) {
		try {
			this.names.release(name, owner);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release the name {} (tried again when the link comes back)", name, ex);
			this.unreleased.add(new Unreleased(name, owner));
		}
	}

	/** Whether the session is in the room (entered and not removed). */
	public boolean contains(ChatSession session) {
		return this.hub.find(session.id()) == session;
	}

	/**
	 * Renames a session. Renaming to a case variant of its own name is allowed. Locked on the
	 * session against its own removal, so that a session that left cannot keep a name.
	 * @return the previous name, or {@code null} if the new name is taken or the session has left
	 */
	public String rename(ChatSession session, String newName) {
		synchronized (session) {
			if (this.hub.find(session.id()) != session) {
				return null;
			}
			String previous = session.name();
			if (!this.names.move(previous, newName, owner(session))) {
				return null;
			}
			session.name(newName);
			writePresence(session);
			return previous;
		}
	}

	/**
	 * Removes a session and frees its name. This is the only way a session leaves.
	 * @return whether the session was here
	 */
	public boolean remove(ChatSession session) {
		synchronized (session) {
			if (!this.hub.remove(session)) {
				return false;
			}
			release(session);
			unlist(session);
			return true;
		}
	}

	/** The session of this node with this name (or one with the same key), or {@code null}. */
	public ChatSession find(String name) {
		Owner owner = this.names.owner(name);
		return (owner != null && owner.node().equals(this.node)) ? this.hub.find(owner.sessionId()) : null;
	}

	/**
	 * The session of this node with this name (or one with the same key), found without the name
	 * directory: while a shared directory cannot be reached.
	 */
	public ChatSession findHere(String name) {
		String key = Names.key(name);
		for (ChatSession session : this.hub.sessions()) {
			if (session.isLive() && Names.key(session.name()).equals(key)) {
				return session;
			}
		}
		return null;
	}

	/** Who owns this name, on whichever node, or {@code null}. */
	public Owner owner(String name) {
		return this.names.owner(name);
	}

	/** A live view of this node's sessions; see {@link Hub#sessions}. */
	public Collection<ChatSession> sessions() {
		return this.hub.sessions();
	}

	public int size() {
		return this.hub.size();
	}

	/** This node's id. */
	public String node() {
		return this.node;
	}

	Hub hub() {
		return this.hub;
	}

	/** This node's sessions as members, for writing them all again. */
	public List<Presence.Member> members(long now) {
		List<Presence.Member> members = new ArrayList<>();
		for (ChatSession session : this.hub.sessions()) {
			if (!session.isEnded()) {
				members.add(Presence.Member.of(session, this.node, now));
			}
		}
		return members;
	}

	private boolean writePresence(ChatSession session) {
		try {
			this.presence.put(Presence.Member.of(session, this.node, session.lastActivityAt()));
			return true;
		}
		catch (RuntimeException ex) {
			logger.warn("Could not list {} in the presence (written again when the link comes back)", session.name(), ex);
			return false;
		}
	}

	private void unlist(ChatSession session) {
		try {
			this.presence.remove(session.id());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not take {} out of the presence (done when the link comes back)", session.name(), ex);
		}
	}

	private Owner owner(ChatSession session) {
		return new Owner(this.node, session.id());
	}

	private record Unreleased(String name, Owner owner) {
	}

}
