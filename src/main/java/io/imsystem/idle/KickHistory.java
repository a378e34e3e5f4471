package io.imsystem.idle;

import java.util.List;

import io.imsystem.protocol.LeaveReason;

/**
 * The most recent kicks, newest first, bounded. In memory for one node
 * ({@link InMemoryKickHistory}); a cluster keeps one history for all nodes, each record naming its
 * node.
 */
public interface KickHistory {

	void record(KickRecord kick);

	/** Up to {@code limit} kicks, newest first. */
	List<KickRecord> newest(int limit);

	/** Up to {@code limit} kicks for {@code reason}, newest first. */
	List<KickRecord> newest(int limit, LeaveReason reason);

	/** Every kick held, newest first. */
	default List<KickRecord> all() {
		return newest(capacity());
	}

	/**
	 * Up to {@code limit} kicks of sessions named {@code name} when kicked, newest first; names
	 * match as they do for uniqueness ({@code session.Names.key}), so case does not matter.
	 */
	List<KickRecord> ofName(String name, int limit);

	/** How many kicks are kept; older ones are dropped. */
	int capacity();

}
