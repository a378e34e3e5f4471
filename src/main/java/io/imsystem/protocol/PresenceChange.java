package io.imsystem.protocol;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One presence change (a join, a leave or a rename) without the room's count or a time: the unit
 * that presence windows collect and that a node hands to the broker. On the wire it is either the
 * whole version-1 {@code presence} frame ({@link #toEvent}) or one entry of a {@code batch}
 * ({@link ServerEvent.PresenceBatch}), whose JSON has exactly the fields of the version-1 frame
 * except {@code type}, {@code online} and {@code ts}.
 *
 * @param event what happened
 * @param name the user's name (the new one, for a rename)
 * @param previousName the name before a rename, {@code null} otherwise
 * @param reason why a leave happened, {@code null} otherwise
 * @param address the address other users are shown (a line user's), or {@code null} for none;
 * never on the JSON wire
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PresenceChange(Kind event, String name, String previousName, LeaveReason reason,
		@JsonIgnore String address) {

	public PresenceChange {
		Objects.requireNonNull(event, "event");
		Objects.requireNonNull(name, "name");
		if ((event == Kind.RENAME) != (previousName != null)) {
			throw new IllegalArgumentException("previousName is for renames only, and every rename has one");
		}
		if ((event == Kind.LEAVE) != (reason != null)) {
			throw new IllegalArgumentException("reason is for leaves only, and every leave has one");
		}
	}

	public static PresenceChange join(String name, String address) {
		return new PresenceChange(Kind.JOIN, name, null, null, address);
	}

	public static PresenceChange leave(String name, String address, LeaveReason reason) {
		return new PresenceChange(Kind.LEAVE, name, null, reason, address);
	}

	/** Renames show no address, as in version 1: the line protocol renders no line for them. */
	public static PresenceChange rename(String name, String previousName) {
		return new PresenceChange(Kind.RENAME, name, previousName, null, null);
	}

	/** The change as a version-1 frame: the same JSON as version 1 sent for it, byte for byte. */
	public ServerEvent.Presence toEvent(int online, long ts) {
		return new ServerEvent.Presence(this.event.wire(), this.name, this.previousName, this.reason, online, ts,
				this.address);
	}

	/** The change a version-1 frame announces. */
	public static PresenceChange of(ServerEvent.Presence presence) {
		return new PresenceChange(Kind.fromWire(presence.event()), presence.name(), presence.previousName(),
				presence.reason(), presence.address());
	}

	/** The {@code event} of a change, as the wire names it. */
	public enum Kind {

		JOIN("join"), LEAVE("leave"), RENAME("rename");

		private final String wire;

		Kind(String wire) {
			this.wire = wire;
		}

		@JsonValue
		public String wire() {
			return this.wire;
		}

		static Kind fromWire(String wire) {
			for (Kind kind : values()) {
				if (kind.wire.equals(wire)) {
					return kind;
				}
			}
			throw new IllegalArgumentException("no presence change is called " + wire);
		}

	}

}
