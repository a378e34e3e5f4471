package io.imsystem.presence;

/**
 * Who owns each name in the room: names are unique by {@code session.Names#key} (case-insensitive,
 * and look-alikes of another script are the same name). In memory for one node
 * ({@link LocalNameDirectory}); cluster mode keeps one directory for all nodes, whose methods throw
 * {@link StoreUnavailableException} while it cannot be reached.
 */
public interface NameDirectory {

	/**
	 * Claims a name for an owner in one atomic step: two owners racing for a name cannot both win.
	 * @return {@code false}, and nothing changes, if the name is taken
	 */
	boolean claim(String name, Owner owner);

	/**
	 * Moves an owner from one of its names to another: the new one is claimed, then the old one
	 * released. A case variant of its own name (the same key) is always granted.
	 * @return {@code false}, and nothing changes, if the new name is taken
	 */
	boolean move(String from, String to, Owner owner);

	/** Releases a name if this owner holds it. */
	void release(String name, Owner owner);

	/** The owner of this name (or of a name with the same key), or {@code null}. */
	Owner owner(String name);

	/**
	 * @param node the id of the node the session is connected to ({@code chat.cluster.node-id})
	 * @param sessionId the session's id on that node
	 */
	record Owner(String node, String sessionId) {
	}

}
