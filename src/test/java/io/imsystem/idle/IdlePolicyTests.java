package io.imsystem.idle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.ChatProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdlePolicyTests {

	@Test
	void aWarningShorterThanTheTimeoutApplies() {
		assertThat(IdlePolicy.effectiveWarning(Duration.ofSeconds(300), Duration.ofSeconds(30)))
			.isEqualTo(Duration.ofSeconds(30));
		assertThat(IdlePolicy.effectiveWarning(Duration.ofSeconds(6), Duration.ofSeconds(4)))
			.isEqualTo(Duration.ofSeconds(4));
	}

	@Test
	void aWarningNotShorterThanTheTimeoutComesAtHalfOfIt() {
		assertThat(IdlePolicy.effectiveWarning(Duration.ofSeconds(10), Duration.ofSeconds(30)))
			.isEqualTo(Duration.ofSeconds(5));
		assertThat(IdlePolicy.effectiveWarning(Duration.ofSeconds(10), Duration.ofSeconds(10)))
			.isEqualTo(Duration.ofSeconds(5));
		assertThat(IdlePolicy.effectiveWarning(Duration.ofSeconds(5), Duration.ofSeconds(30)))
			.isEqualTo(Duration.ofMillis(2_500));
	}

	@Test
	void noWarningStaysNoWarning() {
		assertThat(IdlePolicy.effectiveWarning(Duration.ofSeconds(10), Duration.ZERO)).isZero();
	}

	@Test
	void theWarningForATimeoutFollowsTheGlobalWarning() {
		IdlePolicy policy = new IdlePolicy(new ChatProperties.Idle(Duration.ofSeconds(4), Duration.ofSeconds(30),
				Duration.ofSeconds(1), "你被踢了", Duration.ofHours(24)));
		assertThat(policy.warningFor(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(2));
		assertThat(policy.warningFor(Duration.ofSeconds(600))).isEqualTo(Duration.ofSeconds(30));
		policy.update(Duration.ofSeconds(60), Duration.ZERO);
		assertThat(policy.warningFor(Duration.ofSeconds(4))).isZero();
	}

	@Test
	void anUpdateGoesToTheStoreWithTheNextVersionAndItsListenersAreTold() {
		IdleSettingsStore store = new InMemoryIdleSettingsStore(
				new IdlePolicy.Settings(Duration.ofSeconds(300), Duration.ofSeconds(30), 0));
		IdlePolicy policy = new IdlePolicy(store, Duration.ofHours(24));
		List<IdlePolicy.Settings> told = new ArrayList<>();
		policy.onChange(told::add);
		IdlePolicy.Settings before = policy.update(Duration.ofSeconds(60), Duration.ZERO);
		assertThat(before).isEqualTo(new IdlePolicy.Settings(Duration.ofSeconds(300), Duration.ofSeconds(30), 0));
		assertThat(store.current()).isEqualTo(new IdlePolicy.Settings(Duration.ofSeconds(60), Duration.ZERO, 1));
		assertThat(told).containsExactly(store.current());
	}

}
