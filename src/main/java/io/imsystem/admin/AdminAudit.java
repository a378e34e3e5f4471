package io.imsystem.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The audit trail of timeout changes: a bounded newest-first list for the API, and one INFO line
 * per change for the logs, which keep what the list drops.
 */
@Component
class AdminAudit {

	private static final Logger logger = LoggerFactory.getLogger(AdminAudit.class);

	private static final int CAPACITY = 1000;

	private final ArrayDeque<AuditEntry> entries = new ArrayDeque<>();

	void record(AuditEntry entry) {
		synchronized (this.entries) {
			if (this.entries.size() == CAPACITY) {
				this.entries.removeLast();
			}
			this.entries.addFirst(entry);
		}
		logger.info("audit actor={} action={} target={} oldSeconds={} newSeconds={} oldWarningSeconds={} newWarningSeconds={}",
				entry.actor(), entry.action(), entry.target(), entry.oldSeconds(), entry.newSeconds(),
				entry.oldWarningSeconds(), entry.newWarningSeconds());
	}

	List<AuditEntry> entries() {
		synchronized (this.entries) {
			return new ArrayList<>(this.entries);
		}
	}

}
