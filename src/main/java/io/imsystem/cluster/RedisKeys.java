package io.imsystem.cluster;

/**
 * Every Redis key and channel of one chat service, under {@code chat.cluster.key-prefix}. The keys
 * share the hash tag {@code {room}}, so that on Redis Cluster they all live in one slot and each
 * Lua script below may touch several of them (one room is small enough for one shard).
 *
 * @param prefix {@code chat.cluster.key-prefix}
 */
record RedisKeys(String prefix) {

	private String key(String name) {
		return this.prefix + "{room}:" + name;
	}

	/** Hash: name key ({@code session.Names.key}) to owner ({@code node + " " + sessionId}). */
	String names() {
		return key("names");
	}

	/** Set: the name keys a node's sessions hold, so that a dead node's names are found at once. */
	String nodeNames(String node) {
		return key("node-names:" + node);
	}

	/** Hash: a node's session id to its member (JSON). */
	String members(String node) {
		return key("members:" + node);
	}

	/** Hash: a node's session id to its last activity (epoch ms), written in batches. */
	String activity(String node) {
		return key("activity:" + node);
	}

	/** The prefix {@link #members} and {@link #activity} put before a node id, for Lua. */
	String membersPrefix() {
		return key("members:");
	}

	String activityPrefix() {
		return key("activity:");
	}

	String nodeNamesPrefix() {
		return key("node-names:");
	}

	String nodeAlivePrefix() {
		return key("node:");
	}

	String deadPrefix() {
		return key("dead:");
	}

	/** Sorted set: live nodes by last heartbeat (epoch ms). */
	String nodes() {
		return key("nodes");
	}

	/** String with the node TTL: the node is alive while it exists (JSON: online, startedAt). */
	String nodeAlive(String node) {
		return key("node:" + node);
	}

	/** String: set when a node was declared dead and cleaned up, so that it can tell when it comes back. */
	String dead(String node) {
		return key("dead:" + node);
	}

	/** Hash: the global idle settings (timeout ms, warning ms, version). */
	String idleSettings() {
		return key("idle-settings");
	}

	/** List: kicks (JSON), newest first, trimmed to {@code chat.kick-history.capacity}. */
	String kicks() {
		return key("kicks");
	}

	/** List: audit entries (JSON), newest first, trimmed to {@code chat.audit.capacity}. */
	String audit() {
		return key("audit");
	}

	/** Channel: room events and presence windows, for every node. */
	String roomChannel() {
		return this.prefix + "room";
	}

	/** Channel: control commands for every node. */
	String controlChannel() {
		return this.prefix + "control";
	}

	/** Channel: control commands and probes for one node. */
	String nodeChannel(String node) {
		return this.prefix + "node:" + node;
	}

}
