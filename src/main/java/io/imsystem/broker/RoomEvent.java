package io.imsystem.broker;

import io.imsystem.protocol.Envelope;

/**
 * One event for the room. The payload is an {@link Envelope}: the event, which encodes itself once
 * per transport whatever the number of recipients; a broker between nodes carries its encoding.
 * <p>
 * An event must never reach a session that joined after it happened. Its own node knows exactly
 * when that was: the hub's room version when the event was made ({@code originStamp}), which a
 * late delivering thread cannot move. Another node's versions mean nothing there, so it stamps the
 * event when it arrives ({@code hub.Hub#stamp}).
 * @param payload the event
 * @param exceptSessionId the session that must not get it (it got its own copy already), or {@code null}
 * @param onlySessionId the one session that gets it (a private message), or {@code null} for all
 * @param originNode the node where the event happened
 * @param originStamp the room version of that node's hub when the event happened; read only there
 * @param otherNodesOnly whether the origin node delivered it to its own sessions already (a presence
 * window, which it delivers per change; see {@code presence.PresenceWindow})
 */
public record RoomEvent(Envelope payload, String exceptSessionId, String onlySessionId, String originNode,
		long originStamp, boolean otherNodesOnly) {

	public RoomEvent(Envelope payload, String exceptSessionId, String onlySessionId, String originNode,
			long originStamp) {
		this(payload, exceptSessionId, onlySessionId, originNode, originStamp, false);
	}

	/** An event for every session in the room. */
	public static RoomEvent toAll(Envelope payload, String originNode, long originStamp) {
		return new RoomEvent(payload, null, null, originNode, originStamp);
	}

	/** An event for every session of the other nodes: the origin has delivered it to its own. */
	public static RoomEvent toOtherNodes(Envelope payload, String originNode) {
		return new RoomEvent(payload, null, null, originNode, 0, true);
	}

}
