package io.imsystem.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PresenceChangeTests {

	private static final String ADDRESS = "127.0.0.1:36574";

	@Test
	void aChangeBecomesTheVersionOneFrameByteForByte() {
		assertThat(json(PresenceChange.join("carol", ADDRESS).toEvent(3, 7)))
			.isEqualTo(json(ServerEvent.Presence.join("carol", ADDRESS, 3, 7)))
			.isEqualTo("{\"type\":\"presence\",\"event\":\"join\",\"name\":\"carol\",\"online\":3,\"ts\":7}");
		assertThat(json(PresenceChange.leave("bob", ADDRESS, LeaveReason.IDLE).toEvent(2, 7)))
			.isEqualTo(json(ServerEvent.Presence.leave("bob", ADDRESS, LeaveReason.IDLE, 2, 7)))
			.isEqualTo("{\"type\":\"presence\",\"event\":\"leave\",\"name\":\"bob\",\"reason\":\"idle\",\"online\":2,\"ts\":7}");
		assertThat(json(PresenceChange.rename("dan", "dave").toEvent(2, 7)))
			.isEqualTo(json(ServerEvent.Presence.rename("dan", "dave", 2, 7)))
			.isEqualTo("{\"type\":\"presence\",\"event\":\"rename\",\"name\":\"dan\",\"previousName\":\"dave\",\"online\":2,\"ts\":7}");
	}

	@Test
	void aChangeKeepsTheShownAddressForLineUsers() {
		assertThat(PresenceChange.join("carol", ADDRESS).toEvent(3, 7)).isEqualTo(ServerEvent.Presence.join("carol", ADDRESS, 3, 7));
		ServerEvent.Presence leave = ServerEvent.Presence.leave("bob", ADDRESS, LeaveReason.ADMIN, 2, 7);
		assertThat(PresenceChange.of(leave)).isEqualTo(PresenceChange.leave("bob", ADDRESS, LeaveReason.ADMIN));
		assertThat(PresenceChange.of(leave).toEvent(2, 7)).isEqualTo(leave);
	}

	@Test
	void aBatchHasEachChangeWithTheFieldsOfItsVersionOneFrameExceptTypeOnlineAndTs() {
		ServerEvent.PresenceBatch batch = new ServerEvent.PresenceBatch(List.of(PresenceChange.join("carol", ADDRESS),
				PresenceChange.leave("bob", ADDRESS, LeaveReason.IDLE), PresenceChange.rename("dan", "dave")), 7, 1764060000000L);
		assertThat(json(batch)).isEqualTo("{\"type\":\"presence\",\"event\":\"batch\",\"changes\":["
				+ "{\"event\":\"join\",\"name\":\"carol\"},{\"event\":\"leave\",\"name\":\"bob\",\"reason\":\"idle\"},"
				+ "{\"event\":\"rename\",\"name\":\"dan\",\"previousName\":\"dave\"}],\"online\":7,\"ts\":1764060000000}");
	}

	@Test
	void aCountHasNoNames() {
		assertThat(json(new ServerEvent.PresenceCount(12345, 1764060000000L)))
			.isEqualTo("{\"type\":\"presence\",\"event\":\"count\",\"online\":12345,\"ts\":1764060000000}");
	}

	@Test
	void fieldsThatDoNotBelongToTheKindOfChangeAreRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PresenceChange(PresenceChange.Kind.JOIN, "a", "b", null, null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PresenceChange(PresenceChange.Kind.LEAVE, "a", null, null, null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PresenceChange(PresenceChange.Kind.RENAME, "a", null, LeaveReason.QUIT, null));
	}

	@Test
	void aBatchEnvelopeIsEncodedOnceForAllItsRecipients() {
		Envelope envelope = new Envelope(new ServerEvent.PresenceBatch(List.of(PresenceChange.join("a", null),
				PresenceChange.join("b", null)), 2, 1));
		assertThat(envelope.encoded(JsonEncoding.INSTANCE)).isSameAs(envelope.encoded(JsonEncoding.INSTANCE));
	}

	private static String json(ServerEvent event) {
		return JsonEncoding.INSTANCE.encode(event).text();
	}

}
