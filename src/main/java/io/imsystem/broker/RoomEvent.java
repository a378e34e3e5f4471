package io.imsystem.broker;

import io.imsystem.protocol.Envelope;

/**
 * One event for the room. The payload is an {@link Envelope}: the event, which encodes itself once
 * per transport whatever the number of recipients; a broker between nodes carries its encoding.
 * It carries no room version: each node stamps an event when it arrives ({@code hub.Hub}).
 * @param payload the event
 * @param exceptSessionId the session that must not get it (it got its own copy already), or {@code null}
 * @param onlySessionId the one session that gets it (a private message), or {@code null} for all
 */
public record RoomEvent(Envelope payload, String exceptSessionId, String onlySessionId) {

	/** An event for every session in the room. */
	public static RoomEvent toAll(Envelope payload) {
		return new RoomEvent(payload, null, null);
	}

}
