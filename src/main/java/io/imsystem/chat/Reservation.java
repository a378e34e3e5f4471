package io.imsystem.chat;

import io.imsystem.protocol.ServerEvent;

/**
 * A name claimed for a WebSocket session during its handshake, before the upgrade answers 101 (see
 * {@link ChatService#reserve}): a claim that cannot be made (cluster mode, Redis away) refuses the
 * handshake with 503 as the contract says, instead of closing a session that was already opened.
 * @param sessionId the id the session will have, which owns the name
 * @param requestedName the name the client asked for, or {@code null}
 * @param name the name claimed: the requested one, or a generated one if that was refused
 * @param nameError why the requested name was refused, or {@code null}
 * @param at when it was made, by the chat's clock
 */
public record Reservation(String sessionId, String requestedName, String name, ServerEvent.Error nameError, long at) {
}
