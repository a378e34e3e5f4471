package io.imsystem.history;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BoundedHistoryTests {

	@Test
	void keepsTheNewestFirstUpToItsCapacity() {
		BoundedHistory<Integer> history = new BoundedHistory<>(3);
		for (int i = 1; i <= 5; i++) {
			history.add(i);
		}
		assertThat(history.newest(10)).containsExactly(5, 4, 3);
		assertThat(history.capacity()).isEqualTo(3);
	}

	@Test
	void limitsAndFiltersNewestFirst() {
		BoundedHistory<Integer> history = new BoundedHistory<>(10);
		for (int i = 1; i <= 8; i++) {
			history.add(i);
		}
		assertThat(history.newest(2)).containsExactly(8, 7);
		assertThat(history.newest(3, (i) -> i % 2 == 1)).containsExactly(7, 5, 3);
		assertThat(history.newest(10, (i) -> i > 100)).isEmpty();
	}

	@Test
	void queriesReturnACopy() {
		BoundedHistory<String> history = new BoundedHistory<>(10);
		history.add("alice");
		List<String> before = history.newest(10);
		history.add("bob");
		assertThat(before).containsExactly("alice");
	}

	@Test
	void aCapacityBelowOneIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new BoundedHistory<>(0));
	}

}
