package io.imsystem.session;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions connected to this node, by id and by name. Names are unique by {@link Names#key}
 * (case-insensitive, and look-alikes of another script are the same name): a name is claimed with
 * one atomic {@code putIfAbsent}, so two sessions racing for a name cannot both win. No lock is held while anything is written to a client.
 */
public final class SessionRegistry {

	private final ConcurrentHashMap<String, ChatSession> byId = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, ChatSession> byName = new ConcurrentHashMap<>();

	/**
	 * Adds a session under the given name.
	 * @return {@code false}, and nothing changes, if the name is taken
	 */
	public boolean add(ChatSession session, String name) {
		// Named before it is claimed, so a lookup never sees a nameless session.
		session.name(name);
		if (this.byName.putIfAbsent(Names.key(name), session) != null) {
			return false;
		}
		this.byId.put(session.id(), session);
		return true;
	}

	/**
	 * Renames a session. Renaming to a case variant of its own name is allowed.
	 * @return the previous name, or {@code null} if the new name is taken or the session has left
	 */
	public String rename(ChatSession session, String newName) {
		synchronized (session) {
			if (!this.byId.containsKey(session.id())) {
				return null;
			}
			String previous = session.name();
			String oldKey = Names.key(previous);
			String newKey = Names.key(newName);
			if (!newKey.equals(oldKey)) {
				if (this.byName.putIfAbsent(newKey, session) != null) {
					return null;
				}
				this.byName.remove(oldKey, session);
			}
			session.name(newName);
			return previous;
		}
	}

	/**
	 * Removes a session and frees its name. This is the only way a session leaves the registry.
	 * @return whether the session was here
	 */
	public boolean remove(ChatSession session) {
		synchronized (session) {
			if (!this.byId.remove(session.id(), session)) {
				return false;
			}
			this.byName.remove(Names.key(session.name()), session);
			return true;
		}
	}

	/** The session with this name (or a name with the same {@link Names#key}), or {@code null}. */
	public ChatSession find(String name) {
		return this.byName.get(Names.key(name));
	}

	/** A live view: iterating it takes no lock and sees sessions added or removed meanwhile or not. */
	public Collection<ChatSession> sessions() {
		return Collections.unmodifiableCollection(this.byId.values());
	}

	public int size() {
		return this.byId.size();
	}

}
