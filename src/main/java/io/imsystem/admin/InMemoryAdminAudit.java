package io.imsystem.admin;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.ChatProperties;
import io.imsystem.history.BoundedHistory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * This node's audit trail, in memory ({@code chat.audit.capacity} entries), and one INFO line per
 * change for the logs, which keep what the trail drops.
 */
@Component
@ConditionalOnProperty(name = "chat.cluster.mode", havingValue = "local", matchIfMissing = true)
class InMemoryAdminAudit implements AdminAudit {

	// The category the audit lines have always been logged under, which log queries may rely on.
	private static final Logger logger = LoggerFactory.getLogger(AdminAudit.class);

	private final BoundedHistory<AuditEntry> entries;

	InMemoryAdminAudit(ChatProperties properties) {
		this.entries = new BoundedHistory<>(properties.audit().capacity());
	}

	@Override
	public void record(AuditEntry entry) {
		this.entries.add(entry);
		logger.info(
				"audit actor={} action={} target={} oldSeconds={} newSeconds={} oldWarningSeconds={} newWarningSeconds={} node={}",
				entry.actor(), entry.action().wire(), entry.target(), entry.oldSeconds(), entry.newSeconds(),
				entry.oldWarningSeconds(), entry.newWarningSeconds(), entry.node());
	}

	@Override
	public List<AuditEntry> newest(int limit) {
		return this.entries.newest(limit);
	}

	@Override
	public int capacity() {
		return this.entries.capacity();
	}

}
