package io.imsystem.broker;

import io.imsystem.protocol.Envelope;
import io.imsystem.session.ChatSession;
import io.imsystem.session.SessionRegistry;

import org.springframework.stereotype.Component;

/**
 * The single-node broker: hands the one envelope to each local session's sender. No lock is held;
 * each sender only queues, so a slow client delays nobody.
 */
@Component
public class LocalBroker implements Broker {

	private final SessionRegistry registry;

	public LocalBroker(SessionRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void broadcast(Envelope envelope, ChatSession except, long asOf) {
		for (ChatSession session : this.registry.sessions()) {
			if (session != except && session.isLive() && session.joinVersion() <= asOf) {
				session.send(envelope);
			}
		}
	}

}
