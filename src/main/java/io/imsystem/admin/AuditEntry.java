package io.imsystem.admin;

import java.time.Instant;

/**
 * One change an administrator made to the idle timeout.
 *
 * @param at when
 * @param actor the administrator
 * @param action what changed: {@code global-timeout}, {@code user-timeout} or {@code user-timeout-removed}
 * @param target the user whose timeout changed, or {@code *} for the global timeout
 * @param oldSeconds the timeout before, or {@code null} when there was no override
 * @param newSeconds the timeout after, or {@code null} when the override was removed
 * @param oldWarningSeconds the global warning before ({@code global-timeout} only)
 * @param newWarningSeconds the global warning after ({@code global-timeout} only)
 * @param node the id of the node that made the change ({@code chat.cluster.node-id})
 */
public record AuditEntry(Instant at, String actor, AuditAction action, String target, Long oldSeconds, Long newSeconds,
		Long oldWarningSeconds, Long newWarningSeconds, String node) {
}
