package io.imsystem.admin;

import java.time.Instant;

/**
 * One action of an administrator: a change of the idle timeout, or a kick.
 *
 * @param at when
 * @param actor the administrator
 * @param action what changed: {@code global-timeout}, {@code user-timeout}, {@code user-timeout-removed} or {@code kick}
 * @param target the user whose timeout changed or who was kicked, or {@code *} for the global timeout
 * @param oldSeconds the timeout before, or {@code null} when there was no override
 * @param newSeconds the timeout after, or {@code null} when the override was removed
 * @param oldWarningSeconds the global warning before ({@code global-timeout} only)
 * @param newWarningSeconds the global warning after ({@code global-timeout} only)
 * @param node the id of the node that made the change ({@code chat.cluster.node-id})
 */
public record AuditEntry(Instant at, String actor, AuditAction action, String target, Long oldSeconds, Long newSeconds,
		Long oldWarningSeconds, Long newWarningSeconds, String node) {
}
