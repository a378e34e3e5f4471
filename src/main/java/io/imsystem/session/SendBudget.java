package io.imsystem.session;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.imsystem.protocol.ServerEvent;

/**
 * What waits unsent for one client, against {@code chat.session.buffer-size-limit}: one per
 * connection, whatever its transport. Bytes are counted when a frame or line is queued and let go
 * when it has been written.
 * <p>
 * The answer to the client's own {@code who} is not counted while it is unsent, one at a time. It
 * lists the whole room (1.3 MB at 19,000 users), more than the whole limit, and counted like a
 * broadcast it closed the client that asked as too slow before a byte of it was sent. Only one is
 * exempt, so a client that asks again and again without reading still reaches the limit.
 */
public final class SendBudget {

	private final long limit;

	private final AtomicLong queued = new AtomicLong();

	private final AtomicReference<Exempt> exempt = new AtomicReference<>();

	public SendBudget(long limit) {
		this.limit = limit;
	}

	/**
	 * Counts {@code item} ({@code bytes} long, the encoding of {@code event}) as queued.
	 * @return {@code false} if it would take the client over the limit: it is not counted, and the
	 * client is too slow
	 */
	public boolean take(Object item, int bytes, ServerEvent event) {
		boolean answer = event instanceof ServerEvent.Users && this.exempt.compareAndSet(null, new Exempt(item, bytes));
		long total = this.queued.addAndGet(bytes);
		Exempt unsent = this.exempt.get();
		if (!answer && total - ((unsent != null) ? unsent.bytes() : 0) > this.limit) {
			this.queued.addAndGet(-bytes);
			return false;
		}
		return true;
	}

	/**
	 * Lets go of {@code bytes} that have been written.
	 * @param item what they held if it may be the exempt answer, else {@code null}
	 */
	public void written(int bytes, Object item) {
		this.queued.addAndGet(-bytes);
		Exempt unsent = this.exempt.get();
		// After its bytes left the count: the other way round, for an instant, they would count.
		if (item != null && unsent != null && unsent.item() == item) {
			this.exempt.compareAndSet(unsent, null);
		}
	}

	/** Whether {@code item} is the answer exempt now. */
	public boolean isExempt(Object item) {
		Exempt unsent = this.exempt.get();
		return unsent != null && unsent.item() == item;
	}

	private record Exempt(Object item, int bytes) {
	}

}
