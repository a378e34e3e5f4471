package io.imsystem.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * Every event the server sends, exactly as the wire contract (version 1) names it. Records keep the
 * contract's field order; {@code type} comes first from the type id.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerEvent {

	/** Epoch milliseconds at which the server produced the event. */
	long ts();

	@JsonTypeName("welcome")
	record Welcome(String name, int online, long timeoutSeconds, long warningSeconds, long ts) implements ServerEvent {
	}

	/** {@code event} is {@code join}, {@code leave} or {@code rename}. */
	@JsonTypeName("presence")
	record Presence(String event, String name, String previousName, LeaveReason reason, int online, long ts)
			implements ServerEvent {

		public static Presence join(String name, int online, long ts) {
			return new Presence("join", name, null, null, online, ts);
		}

		public static Presence leave(String name, LeaveReason reason, int online, long ts) {
			return new Presence("leave", name, null, reason, online, ts);
		}

		public static Presence rename(String name, String previousName, int online, long ts) {
			return new Presence("rename", name, previousName, null, online, ts);
		}

	}

	@JsonTypeName("chat")
	record Chat(String from, String text, long ts) implements ServerEvent {
	}

	@JsonTypeName("private")
	record Private(String from, String to, String text, long ts) implements ServerEvent {
	}

	@JsonTypeName("users")
	record Users(List<User> users, long ts) implements ServerEvent {

		public record User(String name, long connectedAt, long idleSeconds) {
		}

	}

	@JsonTypeName("renamed")
	record Renamed(String name, String previousName, long ts) implements ServerEvent {
	}

	@JsonTypeName("idle-warning")
	record IdleWarning(long secondsLeft, long ts) implements ServerEvent {
	}

	@JsonTypeName("kicked")
	record Kicked(LeaveReason reason, String message, long ts) implements ServerEvent {
	}

	@JsonTypeName("error")
	record Error(ErrorCode code, String message, long ts) implements ServerEvent {
	}

	@JsonTypeName("pong")
	record Pong(long ts) implements ServerEvent {
	}

}
