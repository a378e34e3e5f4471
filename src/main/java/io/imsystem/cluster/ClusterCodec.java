package io.imsystem.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import io.imsystem.admin.AuditEntry;
import io.imsystem.broker.Control;
import io.imsystem.broker.RoomEvent;
import io.imsystem.idle.KickRecord;
import io.imsystem.presence.Presence;
import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.PresenceChange;
import io.imsystem.protocol.ServerEvent;

/**
 * What travels through Redis, as JSON text: room events, presence windows, control commands, and
 * the stored members, kicks and audit entries. A room event carries its wire JSON, encoded once by
 * the node where it happened and handed as is to the other nodes' WebSocket sessions, and the
 * event's fields, including those the JSON wire leaves out (a line user's address), so that the
 * line gateway of any node renders it as its own node would.
 */
final class ClusterCodec {

	/** The first field of every message: what it is. */
	static final String TYPE = "t";

	private final JsonMapper mapper = JsonMapper.builder().build();

	// ---- room events

	/** A room event as one message; {@code publishedAt} (epoch ms) lets the receiver measure the lag. */
	String encodeEvent(RoomEvent event, long publishedAt) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put(TYPE, "event");
		node.put("origin", event.originNode());
		node.put("stamp", event.originStamp());
		node.put("except", event.exceptSessionId());
		node.put("only", event.onlySessionId());
		node.put("at", publishedAt);
		if (event.payload().event() instanceof ServerEvent.Chats chats) {
			// Still one message: each chat with its JSON text, as a lone chat has.
			ArrayNode parts = node.putArray("parts");
			for (Envelope part : chats.parts()) {
				ObjectNode each = eventFields(part.event());
				each.put("json", part.encoded(JsonEncoding.INSTANCE).text());
				parts.add(each);
			}
			return node.toString();
		}
		node.put("json", event.payload().encoded(JsonEncoding.INSTANCE).text());
		node.set("event", eventFields(event.payload().event()));
		return node.toString();
	}

	/** The event that {@link #encodeEvent} encoded, with its JSON encoding already in its envelope. */
	RoomEvent decodeEvent(JsonNode node) {
		Envelope envelope;
		if (node.has("parts")) {
			List<Envelope> parts = new ArrayList<>();
			for (JsonNode part : node.get("parts")) {
				parts.add(Envelope.preEncoded(event(part), JsonEncoding.INSTANCE, new JsonEncoding.Frame(text(part, "json"))));
			}
			envelope = new Envelope(new ServerEvent.Chats(parts, parts.get(parts.size() - 1).event().ts()));
		}
		else {
			ServerEvent event = event(node.get("event"));
			String json = text(node, "json");
			envelope = Envelope.preEncoded(event, JsonEncoding.INSTANCE, new JsonEncoding.Frame(json));
		}
		return new RoomEvent(envelope, text(node, "except"), text(node, "only"), text(node, "origin"),
				node.get("stamp").asLong());
	}

	private ObjectNode eventFields(ServerEvent event) {
		ObjectNode node = this.mapper.createObjectNode();
		// Java 17 has no pattern switch; the chain covers every event a room event carries.
		if (event instanceof ServerEvent.Chat chat) {
			node.put("type", "chat");
			node.put("from", chat.from());
			node.put("text", chat.text());
			node.put("fromAddress", chat.fromAddress());
		}
		else if (event instanceof ServerEvent.Private message) {
			node.put("type", "private");
			node.put("from", message.from());
			node.put("to", message.to());
			node.put("text", message.text());
		}
		else if (event instanceof ServerEvent.Presence presence) {
			node.put("type", "presence");
			node.set("change", change(PresenceChange.of(presence)));
			node.put("online", presence.online());
		}
		else if (event instanceof ServerEvent.PresenceBatch batch) {
			node.put("type", "batch");
			ArrayNode changes = node.putArray("changes");
			for (PresenceChange change : batch.changes()) {
				changes.add(change(change));
			}
			node.put("online", batch.online());
		}
		else if (event instanceof ServerEvent.PresenceCount count) {
			node.put("type", "count");
			node.put("online", count.online());
		}
		else {
			throw new IllegalArgumentException("not a room event: " + event);
		}
		node.put("ts", event.ts());
		return node;
	}

	private ServerEvent event(JsonNode node) {
		String type = text(node, "type");
		long ts = node.get("ts").asLong();
		return switch (type) {
			case "chat" -> new ServerEvent.Chat(text(node, "from"), text(node, "text"), ts, text(node, "fromAddress"));
			case "private" -> new ServerEvent.Private(text(node, "from"), text(node, "to"), text(node, "text"), ts);
			case "presence" -> change(node.get("change")).toEvent(node.get("online").asInt(), ts);
			case "batch" -> {
				List<PresenceChange> changes = new ArrayList<>();
				for (JsonNode change : node.get("changes")) {
					changes.add(change(change));
				}
				yield new ServerEvent.PresenceBatch(changes, node.get("online").asInt(), ts);
			}
			case "count" -> new ServerEvent.PresenceCount(node.get("online").asInt(), ts);
			default -> throw new IllegalArgumentException("not a room event type: " + type);
		};
	}

	private ObjectNode change(PresenceChange change) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("event", change.event().wire());
		node.put("name", change.name());
		node.put("previousName", change.previousName());
		node.put("reason", (change.reason() != null) ? change.reason().wire() : null);
		node.put("address", change.address());
		return node;
	}

	private static PresenceChange change(JsonNode node) {
		String event = text(node, "event");
		String name = text(node, "name");
		return switch (event) {
			case "join" -> PresenceChange.join(name, text(node, "address"));
			case "leave" -> PresenceChange.leave(name, text(node, "address"), reason(text(node, "reason")));
			case "rename" -> PresenceChange.rename(name, text(node, "previousName"));
			default -> throw new IllegalArgumentException("no presence change is called " + event);
		};
	}

	// ---- control commands

	String encodeControl(String origin, Control command) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put(TYPE, "control");
		node.put("origin", origin);
		node.put("node", command.node());
		// Java 17 has no pattern switch; the chain covers every permitted Control.
		if (command instanceof Control.Kick kick) {
			node.put("command", "kick");
			node.put("session", kick.sessionId());
			node.put("reason", kick.reason().wire());
			node.put("message", kick.message());
			node.put("kickedBy", kick.kickedBy());
		}
		else if (command instanceof Control.SetTimeout timeout) {
			node.put("command", "set-timeout");
			node.put("session", timeout.sessionId());
			if (timeout.timeout() != null) {
				node.put("timeoutMillis", timeout.timeout().toMillis());
			}
		}
		else if (command instanceof Control.SettingsChanged changed) {
			node.put("command", "settings-changed");
			node.put("version", changed.version());
		}
		else if (command instanceof Control.Reply reply) {
			node.put("command", "reply");
			node.put("requestId", reply.requestId());
			node.put("applied", reply.applied());
		}
		else {
			throw new IllegalArgumentException("no encoding for " + command);
		}
		if (command.request() != null) {
			node.put("replyTo", command.request().replyTo());
			node.put("requestId", command.request().id());
			node.put("deadline", command.request().deadline());
		}
		return node.toString();
	}

	Control decodeControl(JsonNode node) {
		String command = text(node, "command");
		String target = text(node, "node");
		String replyTo = text(node, "replyTo");
		Control.Request request = (replyTo != null)
				? new Control.Request(replyTo, text(node, "requestId"), node.get("deadline").asLong()) : null;
		return switch (command) {
			case "kick" -> new Control.Kick(target, text(node, "session"), reason(text(node, "reason")),
					text(node, "message"), text(node, "kickedBy"), request);
			case "set-timeout" -> {
				JsonNode millis = node.get("timeoutMillis");
				yield new Control.SetTimeout(target, text(node, "session"),
						(millis != null && !millis.isNull()) ? Duration.ofMillis(millis.asLong()) : null, request);
			}
			case "settings-changed" -> new Control.SettingsChanged(target, node.get("version").asLong());
			case "reply" -> new Control.Reply(target, text(node, "requestId"), node.get("applied").asBoolean());
			default -> throw new IllegalArgumentException("no control command is called " + command);
		};
	}

	// ---- probes

	String encodeProbe(String origin, long sequence) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put(TYPE, "probe");
		node.put("origin", origin);
		node.put("sequence", sequence);
		return node.toString();
	}

	// ---- stored values

	String encodeMember(Presence.Member member) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("name", member.name());
		node.put("node", member.node());
		node.put("sessionId", member.sessionId());
		node.put("remoteAddress", member.remoteAddress());
		node.put("shownAddress", member.shownAddress());
		node.put("connectedAt", member.connectedAt());
		node.put("lastActivityAt", member.lastActivityAt());
		if (member.timeoutOverride() != null) {
			node.put("timeoutMillis", member.timeoutOverride().toMillis());
		}
		return node.toString();
	}

	/**
	 * @param lastActivityAt the newer activity written since, or a negative number for none
	 * @param now for the idle seconds
	 */
	Presence.Member decodeMember(String json, long lastActivityAt, long now) {
		JsonNode node = read(json);
		long activity = Math.max(node.get("lastActivityAt").asLong(), lastActivityAt);
		JsonNode millis = node.get("timeoutMillis");
		return new Presence.Member(text(node, "name"), text(node, "node"), text(node, "sessionId"),
				text(node, "remoteAddress"), text(node, "shownAddress"), node.get("connectedAt").asLong(), activity,
				Presence.idleSeconds(activity, now),
				(millis != null && !millis.isNull()) ? Duration.ofMillis(millis.asLong()) : null);
	}

	String encodeKick(KickRecord kick) {
		return this.mapper.writeValueAsString(kick);
	}

	KickRecord decodeKick(String json) {
		return this.mapper.readValue(json, KickRecord.class);
	}

	String encodeAudit(AuditEntry entry) {
		return this.mapper.writeValueAsString(entry);
	}

	AuditEntry decodeAudit(String json) {
		return this.mapper.readValue(json, AuditEntry.class);
	}

	JsonNode read(String json) {
		return this.mapper.readTree(json);
	}

	static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

	static LeaveReason reason(String wire) {
		return LeaveReason.valueOf(wire.toUpperCase(Locale.ROOT));
	}

}
