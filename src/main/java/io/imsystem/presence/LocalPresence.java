package io.imsystem.presence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.imsystem.session.ChatSession;

/** The presence of one node: read from its sessions as they are. */
public final class LocalPresence implements Presence {

	private final Collection<ChatSession> sessions;

	private final String node;

	/**
	 * @param sessions a live view of this node's sessions (see {@code hub.Hub#sessions})
	 * @param node this node's id
	 */
	public LocalPresence(Collection<ChatSession> sessions, String node) {
		this.sessions = sessions;
		this.node = node;
	}

	@Override
	public List<Member> members(long now) {
		List<Member> members = new ArrayList<>();
		for (ChatSession session : this.sessions) {
			if (session.isLive()) {
				members.add(Member.of(session, this.node, now));
			}
		}
		return members;
	}

	@Override
	public int count() {
		return this.sessions.size();
	}

	@Override
	public List<Node> nodes(long now) {
		return List.of(new Node(this.node, count(), now));
	}

}
