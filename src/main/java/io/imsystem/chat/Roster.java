package io.imsystem.chat;

import java.util.Collection;

import io.imsystem.hub.Hub;
import io.imsystem.presence.NameDirectory;
import io.imsystem.presence.NameDirectory.Owner;
import io.imsystem.session.ChatSession;

/**
 * This node's sessions under their names: the {@link Hub} holds the sessions, the
 * {@link NameDirectory} the names, and this class keeps the two in step. A session comes in and
 * goes out only here. No lock is held while anything is written to a client.
 */
public final class Roster {

	private final Hub hub;

	private final NameDirectory names;

	private final String node;

	public Roster(Hub hub, NameDirectory names, String node) {
		this.hub = hub;
		this.names = names;
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
	 * Puts a session that has {@link #claim claimed} its name into the hub.
	 * @return its room version, see {@link Hub#add}
	 */
	public long enter(ChatSession session) {
		return this.hub.add(session);
	}

	/** Frees the name of a session that claimed it but never {@link #enter entered}. */
	public void release(ChatSession session) {
		this.names.release(session.name(), owner(session));
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
			this.names.release(session.name(), owner(session));
			return true;
		}
	}

	/** The session of this node with this name (or one with the same key), or {@code null}. */
	public ChatSession find(String name) {
		Owner owner = this.names.owner(name);
		return (owner != null && owner.node().equals(this.node)) ? this.hub.find(owner.sessionId()) : null;
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

	private Owner owner(ChatSession session) {
		return new Owner(this.node, session.id());
	}

}
