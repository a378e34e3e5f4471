package io.imsystem;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClusterPropertiesTests {

	@Test
	void anUnsetNodeIdIsTheHostNamePlusAShortRandomSuffix() {
		String first = new ChatProperties.Cluster(null).nodeId();
		String second = new ChatProperties.Cluster(" ").nodeId();
		assertThat(first).matches("[a-z0-9._-]+-[0-9a-f]{4}").hasSizeLessThanOrEqualTo(64);
		assertThat(second.substring(0, second.length() - 4)).isEqualTo(first.substring(0, first.length() - 4));
	}

	@Test
	void aConfiguredNodeIdIsKeptAndOneThatCannotBeAKeyIsRefused() {
		assertThat(new ChatProperties.Cluster("node-a").nodeId()).isEqualTo("node-a");
		assertThatIllegalArgumentException().isThrownBy(() -> new ChatProperties.Cluster("node a"))
			.withMessageContaining("chat.cluster.node-id");
		assertThatIllegalArgumentException().isThrownBy(() -> new ChatProperties.Cluster("x".repeat(65)));
	}

}
