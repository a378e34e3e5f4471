package io.imsystem.cluster;

import java.time.Clock;
import java.time.Duration;

/**
 * This node's lease on its place in the cluster, as its own clock sees it. A heartbeat that Redis
 * accepted confirms it for {@code chat.cluster.node-ttl} from the moment the heartbeat was sent:
 * Redis ran it later, so the node's key outlives the lease, and while the lease holds no other node
 * can have declared this one dead.
 * <p>
 * Past that, it may have been: a node that was frozen (SIGSTOP, a long GC pause, a suspended VM)
 * runs again with whatever queued up meanwhile, a client's quit or closed socket, a chat, before
 * its heartbeat finds out. Another node has announced those users' leaves already. So while the
 * lease has lapsed this node publishes nothing of its sessions to the others ({@link RedisBroker}
 * holds it) and admits nobody, until its next heartbeat decides: confirmed, what was held goes
 * out; declared dead, it is dropped with the stale sessions ({@link ClusterNode}).
 */
final class Lease {

	private static final long NEVER = Long.MIN_VALUE;

	private final Clock clock;

	private final long ttlMillis;

	/** When the last accepted heartbeat was sent, or {@link #NEVER}. */
	private volatile long confirmedAt = NEVER;

	Lease(Clock clock, Duration ttl) {
		this.clock = clock;
		this.ttlMillis = ttl.toMillis();
	}

	/**
	 * A heartbeat or registration sent at {@code sentAt} was accepted.
	 * @param sentAt the clock's time just before it was sent
	 */
	void confirm(long sentAt) {
		this.confirmedAt = sentAt;
	}

	/** Whether no other node can have declared this one dead yet. */
	boolean valid() {
		long at = this.confirmedAt;
		return at != NEVER && this.clock.millis() - at < this.ttlMillis;
	}

}
