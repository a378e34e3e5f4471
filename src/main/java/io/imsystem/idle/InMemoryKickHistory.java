package io.imsystem.idle;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.history.BoundedHistory;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.Names;

/**
 * This node's kicks, in memory. Every kick is also logged as one structured INFO line, which
 * outlives the bounded history.
 */
public final class InMemoryKickHistory implements KickHistory {

	// The category the kick lines have always been logged under, which log queries may rely on.
	private static final Logger logger = LoggerFactory.getLogger(KickHistory.class);

	private final BoundedHistory<KickRecord> records;

	public InMemoryKickHistory(int capacity) {
		this.records = new BoundedHistory<>(capacity);
	}

	@Override
	public void record(KickRecord kick) {
		this.records.add(kick);
		logger.info(
				"kick name={} address={} reason={} idleSeconds={} connectedAt={} lastActivityAt={} kickedAt={} by={} node={}",
				kick.name(), kick.remoteAddress(), kick.reason().wire(), kick.idleSeconds(), kick.connectedAt(),
				kick.lastActivityAt(), kick.kickedAt(), (kick.kickedBy() != null) ? kick.kickedBy() : "server",
				kick.node());
	}

	@Override
	public List<KickRecord> newest(int limit) {
		return this.records.newest(limit);
	}

	@Override
	public List<KickRecord> newest(int limit, LeaveReason reason) {
		return this.records.newest(limit, (kick) -> kick.reason() == reason);
	}

	@Override
	public List<KickRecord> ofName(String name, int limit) {
		String key = Names.key(name);
		return this.records.newest(limit, (kick) -> Names.key(kick.name()).equals(key));
	}

	@Override
	public int capacity() {
		return this.records.capacity();
	}

}
