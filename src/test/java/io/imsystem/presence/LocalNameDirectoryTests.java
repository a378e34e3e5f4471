package io.imsystem.presence;

import io.imsystem.presence.NameDirectory.Owner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalNameDirectoryTests {

	private final NameDirectory names = new LocalNameDirectory();

	private final Owner alice = new Owner("node-a", "s1");

	private final Owner other = new Owner("node-b", "s2");

	@Test
	void aNameHasOneOwnerWhateverItsCase() {
		assertThat(this.names.claim("Alice", this.alice)).isTrue();
		assertThat(this.names.claim("ALICE", this.other)).isFalse();
		assertThat(this.names.owner("alice")).isEqualTo(this.alice);
	}

	@Test
	void aMoveFreesTheOldNameAndIsRefusedWhenTheNewOneIsTaken() {
		this.names.claim("alice", this.alice);
		this.names.claim("bob", this.other);
		assertThat(this.names.move("alice", "BOB", this.alice)).isFalse();
		assertThat(this.names.owner("alice")).isEqualTo(this.alice);
		assertThat(this.names.move("alice", "alicia", this.alice)).isTrue();
		assertThat(this.names.owner("alice")).isNull();
		assertThat(this.names.owner("alicia")).isEqualTo(this.alice);
		assertThat(this.names.move("alicia", "ALICIA", this.alice)).as("a case variant of its own").isTrue();
	}

	@Test
	void onlyItsOwnerReleasesAName() {
		this.names.claim("alice", this.alice);
		this.names.release("alice", this.other);
		assertThat(this.names.owner("alice")).isEqualTo(this.alice);
		this.names.release("ALICE", this.alice);
		assertThat(this.names.owner("alice")).isNull();
	}

}
