package io.imsystem.admin;

import java.util.List;

/**
 * The audit trail of administrators' changes, newest first, bounded. In memory for one node
 * ({@link InMemoryAdminAudit}); a cluster keeps one trail for all nodes, each entry naming its node.
 */
public interface AdminAudit {

	void record(AuditEntry entry);

	/** Up to {@code limit} entries, newest first. */
	List<AuditEntry> newest(int limit);

	/** How many entries are kept; older ones are dropped. */
	int capacity();

}
