package io.imsystem.presence;

import java.time.Duration;
import java.util.List;

import io.imsystem.session.ChatSession;

/**
 * Who is online: the read model behind {@code who}, the admin API's users and idle preview, and
 * {@code /actuator/chat}. One node's sessions today ({@link LocalPresence}); the one place that
 * becomes cluster-wide.
 */
public interface Presence {

	/** The members whose sessions are live (joined, not ended), as of {@code now}. */
	List<Member> members(long now);

	/** Sessions admitted and not yet gone, live or still joining: the {@code online} count. */
	int count();

	/** The live member with this session on this node, or {@code null}. */
	default Member member(String node, String sessionId, long now) {
		for (Member member : members(now)) {
			if (member.node().equals(node) && member.sessionId().equals(sessionId)) {
				return member;
			}
		}
		return null;
	}

	/**
	 * The sessions of the other nodes (0 for one node): this node adds its own, which it counts
	 * exactly, to make the {@code online} of its welcomes and presence frames.
	 */
	default int countElsewhere() {
		return 0;
	}

	/**
	 * A member of this node joined, renamed or got a timeout of its own. A read model that reads
	 * this node's sessions as they are (one node) has nothing to write; one shared between nodes
	 * writes it. May throw when the shared store is away.
	 */
	default void put(Member member) {
	}

	/** A member of this node left; see {@link #put}. */
	default void remove(String sessionId) {
	}

	/** A member of this node was active at {@code lastActivityAt}; must not block. */
	default void touched(String sessionId, long lastActivityAt) {
	}

	/**
	 * The nodes serving the room, each as it last reported: one node, or every live node of a
	 * cluster, by id.
	 */
	List<Node> nodes(long now);

	/** Idle seconds, rounded down and never negative: the one place they are computed. */
	static long idleSeconds(long lastActivityAt, long now) {
		return Math.max(0, (now - lastActivityAt) / 1000);
	}

	/**
	 * @param name the member's name
	 * @param node the node its session is connected to
	 * @param sessionId its session's id on that node
	 * @param remoteAddress its address, for administrators
	 * @param shownAddress the address other users may see, or {@code null}
	 * @param connectedAt epoch milliseconds
	 * @param lastActivityAt epoch milliseconds
	 * @param idleSeconds see {@link Presence#idleSeconds}
	 * @param timeoutOverride its own idle timeout, or {@code null} for the global one
	 */
	record Member(String name, String node, String sessionId, String remoteAddress, String shownAddress,
			long connectedAt, long lastActivityAt, long idleSeconds, Duration timeoutOverride) {

		/** A session of node {@code node} as a member, as of {@code now}. */
		public static Member of(ChatSession session, String node, long now) {
			return new Member(session.name(), node, session.id(), session.remoteAddress(), session.shownAddress(),
					session.connectedAt(), session.lastActivityAt(), Presence.idleSeconds(session.lastActivityAt(), now),
					session.timeoutOverride());
		}

	}

	/**
	 * @param node its id ({@code chat.cluster.node-id})
	 * @param online how many sessions it has (at its last heartbeat, in a cluster)
	 * @param lastHeartbeat epoch milliseconds (now, for one node)
	 */
	record Node(String node, int online, long lastHeartbeat) {
	}

}
