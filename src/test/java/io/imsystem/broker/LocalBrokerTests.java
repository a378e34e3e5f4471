package io.imsystem.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBrokerTests {

	private final LocalBroker broker = new LocalBroker("node-a");

	@Test
	void anEventLoopsBackToEverySubscriberAsItWasPublished() {
		List<RoomEvent> received = new ArrayList<>();
		this.broker.subscribe(received::add);
		RoomEvent event = new RoomEvent(new Envelope(new ServerEvent.Pong(1)), "s1", null, "node-a", 7);
		this.broker.publish(event);
		assertThat(received).containsExactly(event);
	}

	@Test
	void aCommandReachesThisNodeWhenItIsForThisNodeOrForAll() {
		List<Control> received = new ArrayList<>();
		this.broker.subscribeControl(received::add);
		Control forUs = new Control.SetTimeout("node-a", "s1", Duration.ofSeconds(5));
		Control forAll = new Control.SettingsChanged(null, 2);
		this.broker.control(forUs);
		this.broker.control(new Control.SetTimeout("node-b", "s1", Duration.ofSeconds(5)));
		this.broker.control(forAll);
		assertThat(received).containsExactly(forUs, forAll);
	}

}
