package io.imsystem.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.imsystem.presence.Presence;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Which nodes are alive. Each node heartbeats a key that expires after {@code chat.cluster.node-ttl};
 * every node's reaper looks for nodes whose key is gone and cleans each one up in ONE Lua script
 * (its names freed, its members removed, a {@code dead} mark set), so that however many survivors
 * reap at once, exactly one gets each dead node's members and announces their leaves. A node that
 * comes back after it was declared dead (a freeze past the TTL) finds the mark at its next
 * heartbeat, which then fails: it must close its stale sessions and {@link #rejoin()}.
 */
public final class NodeRegistry {

	/** How long a dead mark stays: far longer than any freeze a node could come back from. */
	static final Duration DEAD_MARK = Duration.ofDays(1);

	// The cleanup of one node, shared by the scripts below. KEYS[1] names, KEYS[2] nodes; ARGV[1..5]
	// the prefixes of node, members, activity, node-names and dead keys. Returns its members.
	private static final String CLEANUP = """
			local function cleanup(node)
			  local owner = node .. ' '
			  for _, key in ipairs(redis.call('SMEMBERS', ARGV[4] .. node)) do
			    local value = redis.call('HGET', KEYS[1], key)
			    if value and string.sub(value, 1, #owner) == owner then
			      redis.call('HDEL', KEYS[1], key)
			    end
			  end
			  local members = redis.call('HVALS', ARGV[2] .. node)
			  redis.call('DEL', ARGV[1] .. node, ARGV[2] .. node, ARGV[3] .. node, ARGV[4] .. node)
			  redis.call('ZREM', KEYS[2], node)
			  return members
			end
			""";

	// ARGV[6] dead mark ms. Returns node, count, members..., node, count, members...
	private static final RedisScript<List> REAP = RedisScript.of(CLEANUP + """
			local result = {}
			for _, node in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
			  if redis.call('EXISTS', ARGV[1] .. node) == 0 then
			    local members = cleanup(node)
			    redis.call('SET', ARGV[5] .. node, '1', 'PX', ARGV[6])
			    table.insert(result, node)
			    table.insert(result, tostring(#members))
			    for _, member in ipairs(members) do
			      table.insert(result, member)
			    end
			  end
			end
			return result
			""", List.class);

	// ARGV[6] this node. Cleans up what this node id left (a previous process, or this one before
	// it was declared dead) and clears the dead mark. Returns the members it held.
	private static final RedisScript<List> RESET = RedisScript.of(CLEANUP + """
			local members = cleanup(ARGV[6])
			redis.call('DEL', ARGV[5] .. ARGV[6])
			return members
			""", List.class);

	// KEYS: dead mark, node key, nodes; ARGV: ttl ms, now ms, node, description. Returns 0 for
	// dead, 1 for alive, 2 for alive but unknown until now (Redis lost everything: a restart).
	private static final RedisScript<Long> HEARTBEAT = RedisScript.of("""
			if redis.call('EXISTS', KEYS[1]) == 1 then
			  return 0
			end
			local known = redis.call('EXISTS', KEYS[2])
			redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[1])
			redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
			if known == 1 then
			  return 1
			end
			return 2
			""", Long.class);

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final String node;

	private final Duration ttl;

	private final ClusterCodec codec;

	NodeRegistry(StringRedisTemplate redis, RedisKeys keys, String node, Duration ttl, ClusterCodec codec) {
		this.redis = redis;
		this.keys = keys;
		this.node = node;
		this.ttl = ttl;
		this.codec = codec;
	}

	public String node() {
		return this.node;
	}

	/** How often to heartbeat: three beats per TTL, so one late beat does not kill a node. */
	public Duration heartbeatInterval() {
		return this.ttl.dividedBy(3);
	}

	/**
	 * Registers this node as it starts: whatever an earlier process with this node id left is
	 * cleaned up first (a crash and a quick restart with a fixed id would otherwise keep its users
	 * listed until the TTL).
	 * @return the members the earlier process left, whose leaves nobody announced yet
	 */
	public List<Presence.Member> register(long now, int online) {
		List<Presence.Member> left = reset(now);
		heartbeat(now, online);
		return left;
	}

	/**
	 * After this node found itself declared dead and closed its stale sessions: removes what it
	 * wrote meanwhile and registers it again.
	 */
	public List<Presence.Member> rejoin(long now, int online) {
		return register(now, online);
	}

	/**
	 * @return {@code false} if this node was declared dead by another (then nothing was written):
	 * its sessions are stale, since their leaves were announced and their names freed
	 */
	public boolean heartbeat(long now, int online) {
		return beat(now, online) != Beat.DEAD;
	}

	/** A heartbeat that also tells whether Redis had lost this node (see {@link Beat#UNKNOWN}). */
	public Beat beat(long now, int online) {
		String description = "{\"online\":" + online + ",\"at\":" + now + "}";
		Long alive = this.redis.execute(HEARTBEAT,
				List.of(this.keys.dead(this.node), this.keys.nodeAlive(this.node), this.keys.nodes()),
				Long.toString(this.ttl.toMillis()), Long.toString(now), this.node, description);
		if (alive == null || alive == 0) {
			return Beat.DEAD;
		}
		return (alive == 1) ? Beat.ALIVE : Beat.UNKNOWN;
	}

	/** What a heartbeat found. */
	public enum Beat {

		/** Alive, as Redis knew. */
		ALIVE,
		/**
		 * Alive, but Redis did not know this node (neither alive nor dead): it restarted empty, and
		 * this node's names and members must be written again.
		 */
		UNKNOWN,
		/** Declared dead by another node: this node's sessions are stale. */
		DEAD

	}

	/**
	 * Finds the nodes whose heartbeat expired and cleans them up; each dead node goes to exactly one
	 * caller across the cluster.
	 */
	public List<DeadNode> reap(long now) {
		List<?> result = this.redis.execute(REAP, List.of(this.keys.names(), this.keys.nodes()), prefixes(
				Long.toString(DEAD_MARK.toMillis())));
		List<DeadNode> dead = new ArrayList<>();
		if (result == null) {
			return dead;
		}
		int i = 0;
		while (i < result.size()) {
			String deadNode = result.get(i++).toString();
			int count = Integer.parseInt(result.get(i++).toString());
			List<Presence.Member> members = new ArrayList<>(count);
			for (int j = 0; j < count; j++) {
				members.add(this.codec.decodeMember(result.get(i++).toString(), -1, now));
			}
			dead.add(new DeadNode(deadNode, members));
		}
		return dead;
	}

	/**
	 * Leaves the cluster on a graceful stop, after this node announced its users' leaves: nothing
	 * of it is left for a reaper, and no dead mark is set.
	 */
	public void leave(long now) {
		reset(now);
	}

	private List<Presence.Member> reset(long now) {
		List<?> result = this.redis.execute(RESET, List.of(this.keys.names(), this.keys.nodes()),
				prefixes(this.node));
		List<Presence.Member> members = new ArrayList<>();
		if (result != null) {
			for (Object member : result) {
				members.add(this.codec.decodeMember(member.toString(), -1, now));
			}
		}
		return members;
	}

	private Object[] prefixes(String last) {
		return new Object[] { this.keys.nodeAlivePrefix(), this.keys.membersPrefix(), this.keys.activityPrefix(),
				this.keys.nodeNamesPrefix(), this.keys.deadPrefix(), last };
	}

	/**
	 * A node declared dead, and its members when it died: their leaves are to be announced.
	 */
	public record DeadNode(String node, List<Presence.Member> members) {
	}

}
