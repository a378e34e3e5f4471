package io.imsystem.idle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most recent kicks, newest first, bounded so that a kick storm cannot exhaust memory. Every
 * kick is also logged as one structured INFO line, which outlives the bounded history.
 */
public final class KickHistory {

	private static final Logger logger = LoggerFactory.getLogger(KickHistory.class);

	private final int capacity;

	private final ArrayDeque<KickRecord> records;

	public KickHistory(int capacity) {
		this.capacity = capacity;
		this.records = new ArrayDeque<>(Math.min(capacity, 1024));
	}

	public void record(KickRecord kick) {
		synchronized (this.records) {
			if (this.records.size() == this.capacity) {
				this.records.removeLast();
			}
			this.records.addFirst(kick);
		}
		logger.info("kick name={} address={} reason={} idleSeconds={} connectedAt={} lastActivityAt={} kickedAt={} by={}",
				kick.name(), kick.remoteAddress(), kick.reason().wire(), kick.idleSeconds(), kick.connectedAt(),
				kick.lastActivityAt(), kick.kickedAt(), (kick.kickedBy() != null) ? kick.kickedBy() : "server");
	}

	/** All kicks held, newest first. */
	public List<KickRecord> records() {
		synchronized (this.records) {
			return new ArrayList<>(this.records);
		}
	}

	public int capacity() {
		return this.capacity;
	}

}
