package io.imsystem.idle;

import java.time.Instant;

import io.imsystem.protocol.LeaveReason;

/**
 * One kick, for the audit trail.
 *
 * @param name the session's name when it was kicked
 * @param remoteAddress the client's address, {@code host:port}
 * @param reason why: {@code idle}, {@code admin}, {@code slow} or {@code shutdown}
 * @param connectedAt when the session connected
 * @param lastActivityAt the session's last activity
 * @param kickedAt when it was kicked
 * @param idleSeconds whole seconds between the last activity and the kick
 * @param kickedBy who kicked: an administrator's name, or {@code null} for the server itself
 * @param message the message the client was sent
 * @param node the id of the node the session was connected to ({@code chat.cluster.node-id})
 */
public record KickRecord(String name, String remoteAddress, LeaveReason reason, Instant connectedAt,
		Instant lastActivityAt, Instant kickedAt, long idleSeconds, String kickedBy, String message, String node) {
}
