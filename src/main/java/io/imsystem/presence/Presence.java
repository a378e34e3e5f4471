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

}
