package io.imsystem.observability;

import java.time.Clock;

import io.imsystem.ChatProperties;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.presence.Presence;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

/** {@code /actuator/chat}: this node's sessions and the idle settings in force. */
@Component
@Endpoint(id = "chat")
public class ChatEndpoint {

	private final Presence presence;

	private final IdlePolicy policy;

	private final ChatProperties properties;

	private final Clock clock;

	public ChatEndpoint(Presence presence, IdlePolicy policy, ChatProperties properties, Clock clock) {
		this.presence = presence;
		this.clock = clock;
		this.policy = policy;
		this.properties = properties;
	}

	@ReadOperation
	public ChatDescriptor chat() {
		IdlePolicy.Settings settings = this.policy.settings();
		int overrides = 0;
		for (Presence.Member member : this.presence.members(this.clock.millis())) {
			if (member.timeoutOverride() != null) {
				overrides++;
			}
		}
		return new ChatDescriptor(this.properties.cluster().nodeId(), this.presence.count(),
				settings.timeout().toSeconds(), settings.warningBefore().toSeconds(),
				IdlePolicy.effectiveWarning(settings.timeout(), settings.warningBefore()).toSeconds(),
				this.properties.idle().sweepInterval().toMillis(), overrides);
	}

	/**
	 * @param nodeId this node's id ({@code chat.cluster.node-id})
	 * @param online sessions connected to this node
	 * @param timeoutSeconds the global idle timeout
	 * @param warningSeconds the global warning as set
	 * @param effectiveWarningSeconds the warning that applies with the global timeout: the set one,
	 * or half the timeout when the set one is not shorter than it
	 * @param sweepIntervalMillis how often the sweeper runs
	 * @param overrides sessions with a timeout of their own
	 */
	public record ChatDescriptor(String nodeId, int online, long timeoutSeconds, long warningSeconds, long effectiveWarningSeconds,
			long sweepIntervalMillis,
			int overrides) {
	}

}
