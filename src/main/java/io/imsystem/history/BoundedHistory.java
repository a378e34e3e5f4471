package io.imsystem.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The most recent items, newest first, bounded so that a storm of them cannot exhaust memory: once
 * full, each new item drops the oldest. Thread-safe; queries return copies.
 *
 * @param <T> the item, immutable
 */
public final class BoundedHistory<T> {

	private final int capacity;

	private final ArrayDeque<T> items;

	public BoundedHistory(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
		}
		this.capacity = capacity;
		// Sized for what is usually held, not for the capacity, which may be large and rarely reached.
		this.items = new ArrayDeque<>(Math.min(capacity, 1024));
	}

	public void add(T item) {
		synchronized (this.items) {
			if (this.items.size() == this.capacity) {
				this.items.removeLast();
			}
			this.items.addFirst(item);
		}
	}

	/** Up to {@code limit} items, newest first. */
	public List<T> newest(int limit) {
		return newest(limit, (item) -> true);
	}

	/** Up to {@code limit} of the items that {@code filter} accepts, newest first. */
	public List<T> newest(int limit, Predicate<? super T> filter) {
		List<T> found = new ArrayList<>(Math.min(limit, this.capacity));
		synchronized (this.items) {
			for (T item : this.items) {
				if (found.size() >= limit) {
					break;
				}
				if (filter.test(item)) {
					found.add(item);
				}
			}
		}
		return found;
	}

	public int capacity() {
		return this.capacity;
	}

}
