package io.imsystem.observability;

import java.time.Clock;
import java.util.Map;

import io.imsystem.ChatProperties;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.presence.Presence;
import io.imsystem.presence.StoreUnavailableException;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.dao.DataAccessException;
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

	/**
	 * The node's figures, or 503 while the cluster's store (Redis) cannot be reached: the online
	 * count is the whole room's and cannot be told then, and this node's own share would look like
	 * the room's.
	 */
	@ReadOperation
	public WebEndpointResponse<Object> chat() {
		IdlePolicy.Settings settings = this.policy.settings();
		int overrides = 0;
		int online;
		try {
			for (Presence.Member member : this.presence.members(this.clock.millis())) {
				if (member.timeoutOverride() != null) {
					overrides++;
				}
			}
			online = this.presence.count();
		}
		catch (StoreUnavailableException | DataAccessException ex) {
			return new WebEndpointResponse<>(Map.of("error", "unavailable", "detail",
					"the cluster's store (Redis) cannot be reached: the room's figures cannot be told now"),
					WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
		}
		return new WebEndpointResponse<>(new ChatDescriptor(this.properties.cluster().nodeId(), online,
				settings.timeout().toSeconds(), settings.warningBefore().toSeconds(),
				IdlePolicy.effectiveWarning(settings.timeout(), settings.warningBefore()).toSeconds(),
				this.properties.idle().sweepInterval().toMillis(), overrides));
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
