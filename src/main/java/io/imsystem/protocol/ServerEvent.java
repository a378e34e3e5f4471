package io.imsystem.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * Every event the server sends, exactly as the wire contract (version 2) names it. Records keep the
 * contract's field order; {@code type} comes first from the type id. Components marked
 * {@link JsonIgnore} are not on the JSON wire: the line protocol shows line users' addresses to line
 * users, WebSocket clients never see one.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerEvent {

	/** Epoch milliseconds at which the server produced the event. */
	long ts();

	@JsonTypeName("welcome")
	record Welcome(String name, int online, long timeoutSeconds, long warningSeconds, int protocol, long ts)
			implements ServerEvent {

		/**
		 * The contract version this server speaks: 2 since presence changes are coalesced
		 * ({@code batch} and {@code count} frames, docs/protocol.md).
		 */
		public static final int PROTOCOL = 2;

		public Welcome(String name, int online, long timeoutSeconds, long warningSeconds, long ts) {
			this(name, online, timeoutSeconds, warningSeconds, PROTOCOL, ts);
		}

	}

	/**
	 * {@code event} is {@code join}, {@code leave} or {@code rename}; {@code address} is the
	 * one other users are shown (a line user's), or {@code null} for none.
	 */
	@JsonTypeName("presence")
	record Presence(String event, String name, String previousName, LeaveReason reason, int online, long ts,
			@JsonIgnore String address) implements ServerEvent {

		public static Presence join(String name, String address, int online, long ts) {
			return new Presence("join", name, null, null, online, ts, address);
		}

		public static Presence leave(String name, String address, LeaveReason reason, int online, long ts) {
			return new Presence("leave", name, null, reason, online, ts, address);
		}

		public static Presence rename(String name, String previousName, int online, long ts) {
			return new Presence("rename", name, previousName, null, online, ts, null);
		}

	}

	/**
	 * Contract version 2: the presence changes of one window, in the order they happened, when the
	 * window holds several; {@code online} is the count after the last of them.
	 */
	@JsonTypeName("presence")
	@JsonPropertyOrder({ "event", "changes", "online", "ts" })
	record PresenceBatch(List<PresenceChange> changes, int online, long ts) implements ServerEvent {

		public PresenceBatch {
			changes = List.copyOf(changes);
		}

		@JsonProperty("event")
		public String event() {
			return "batch";
		}

	}

	/**
	 * Contract version 2: how many are online, without names, once the room is above
	 * {@code chat.presence.names-limit}.
	 */
	@JsonTypeName("presence")
	@JsonPropertyOrder({ "event", "online", "ts" })
	record PresenceCount(int online, long ts) implements ServerEvent {

		@JsonProperty("event")
		public String event() {
			return "count";
		}

	}

	/** {@code fromAddress} is the sender's shown address (a line user's), or {@code null} for none. */
	@JsonTypeName("chat")
	record Chat(String from, String text, long ts, @JsonIgnore String fromAddress) implements ServerEvent {
	}

	/**
	 * Chats that one sender's client sent together (what one read of a line user's socket brought),
	 * delivered to each recipient as one unit instead of one delivery per chat. Not a frame of the
	 * contract, and never encoded as one: a WebSocket client gets each part as its own {@code chat}
	 * frame, a line user each part's line, in one write. Each part is the envelope of one
	 * {@link Chat}, so its encodings are made once for all recipients, as a lone chat's are.
	 * @param parts the chats' envelopes, in the order they were sent (at least two)
	 * @param ts the last part's time
	 */
	@JsonTypeName("chats")
	record Chats(List<Envelope> parts, long ts) implements ServerEvent {

		public Chats {
			parts = List.copyOf(parts);
		}

	}

	@JsonTypeName("private")
	record Private(String from, String to, String text, long ts) implements ServerEvent {
	}

	@JsonTypeName("users")
	record Users(List<User> users, long ts) implements ServerEvent {

		/** {@code address} is the user's shown address (a line user's), or {@code null} for none. */
		public record User(String name, long connectedAt, long idleSeconds, @JsonIgnore String address) {
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

	/**
	 * {@code cause} is the rule the client broke, finer than {@code code}; it is not on the JSON
	 * wire, where the code and the message say it.
	 */
	@JsonTypeName("error")
	record Error(ErrorCode code, String message, long ts, @JsonIgnore ErrorCause cause) implements ServerEvent {

		public Error {
			if (cause.code() != code) {
				throw new IllegalArgumentException(cause + " is sent as " + cause.code() + ", not " + code);
			}
		}

		public Error(ErrorCause cause, String message, long ts) {
			this(cause.code(), message, ts, cause);
		}

		/** An error with the general cause of its code. */
		public Error(ErrorCode code, String message, long ts) {
			this(code, message, ts, ErrorCause.of(code));
		}

	}

	@JsonTypeName("pong")
	record Pong(long ts) implements ServerEvent {
	}

}
