package io.imsystem.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.imsystem.presence.Presence;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Who is online on every node, read from Redis: one hash of members per live node, so that
 * {@code who}, the admin API, the idle preview and the counts cover the cluster with one script
 * call, without asking any node (a frozen node cannot slow them down).
 * <p>
 * A member is written when its session joins, renames or gets its own timeout, and removed when it
 * leaves. Its last activity is NOT written per message: {@link #touched} notes it in memory, and
 * {@link #flushActivity()} (every second, from the heartbeat task) writes all the changes of that
 * second in one {@code HSET} to a separate activity hash. So an idle time read from another node
 * lags by at most that second; this node's idle kicks read its own sessions, not Redis.
 */
public final class RedisPresence implements Presence {

	// KEYS: nodes; ARGV: members prefix, activity prefix. Returns per node: count, then pairs of
	// member json and activity (or '' for none).
	private static final RedisScript<List> MEMBERS = RedisScript.of("""
			local result = {}
			for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
			  local members = redis.call('HGETALL', ARGV[1] .. node)
			  table.insert(result, tostring(#members / 2))
			  for i = 1, #members, 2 do
			    table.insert(result, members[i + 1])
			    table.insert(result, redis.call('HGET', ARGV[2] .. node, members[i]) or '')
			  end
			end
			return result
			""", List.class);

	// KEYS: nodes; ARGV: members prefix
	private static final RedisScript<Long> COUNT = RedisScript.of("""
			local count = 0
			for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
			  count = count + redis.call('HLEN', ARGV[1] .. node)
			end
			return count
			""", Long.class);

	// KEYS: nodes; ARGV: members prefix, this node
	private static final RedisScript<Long> COUNT_ELSEWHERE = RedisScript.of("""
			local count = 0
			for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
			  if node ~= ARGV[2] then
			    count = count + redis.call('HLEN', ARGV[1] .. node)
			  end
			end
			return count
			""", Long.class);

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final String node;

	private final ClusterCodec codec;

	/** Session id to its last activity not yet written. */
	private final Map<String, Long> unwrittenActivity = new ConcurrentHashMap<>();

	RedisPresence(StringRedisTemplate redis, RedisKeys keys, String node, ClusterCodec codec) {
		this.redis = redis;
		this.keys = keys;
		this.node = node;
		this.codec = codec;
	}

	@Override
	public List<Member> members(long now) {
		List<?> result = RedisNameDirectory.run(() -> this.redis.execute(MEMBERS, List.of(this.keys.nodes()),
				this.keys.membersPrefix(), this.keys.activityPrefix()));
		List<Member> members = new ArrayList<>();
		if (result == null) {
			return members;
		}
		int i = 0;
		while (i < result.size()) {
			int count = Integer.parseInt(result.get(i++).toString());
			for (int j = 0; j < count; j++) {
				String json = result.get(i++).toString();
				String activity = result.get(i++).toString();
				members.add(this.codec.decodeMember(json, activity.isEmpty() ? -1 : Long.parseLong(activity), now));
			}
		}
		return members;
	}

	@Override
	public int count() {
		Long count = RedisNameDirectory.run(
				() -> this.redis.execute(COUNT, List.of(this.keys.nodes()), this.keys.membersPrefix()));
		return (count != null) ? count.intValue() : 0;
	}

	@Override
	public int countElsewhere() {
		Long count = this.redis.execute(COUNT_ELSEWHERE, List.of(this.keys.nodes()), this.keys.membersPrefix(),
				this.node);
		return (count != null) ? count.intValue() : 0;
	}

	/** One member read from its node's hash, without reading anyone else's. */
	@Override
	public Member member(String node, String sessionId, long now) {
		Object json = RedisNameDirectory.run(() -> this.redis.opsForHash().get(this.keys.members(node), sessionId));
		if (json == null) {
			return null;
		}
		Object activity = RedisNameDirectory.run(() -> this.redis.opsForHash().get(this.keys.activity(node), sessionId));
		return this.codec.decodeMember(json.toString(), (activity != null) ? Long.parseLong(activity.toString()) : -1,
				now);
	}

	/** The live nodes, by id: their online count and last heartbeat, as each last reported. */
	@Override
	public List<Node> nodes(long now) {
		List<Node> nodes = new ArrayList<>();
		var entries = this.redis.opsForZSet().rangeWithScores(this.keys.nodes(), 0, -1);
		if (entries == null) {
			return nodes;
		}
		for (var entry : entries) {
			String id = entry.getValue();
			String description = this.redis.opsForValue().get(this.keys.nodeAlive(id));
			if (description == null) {
				continue;
			}
			var json = this.codec.read(description);
			nodes.add(new Node(id, json.get("online").asInt(), json.get("at").asLong()));
		}
		return nodes;
	}

	/** Adds or replaces a member of this node (a join, a rename, a timeout of its own). */
	@Override
	public void put(Member member) {
		if (!this.node.equals(member.node())) {
			throw new IllegalArgumentException("member " + member.name() + " is on node " + member.node());
		}
		this.redis.opsForHash().put(this.keys.members(this.node), member.sessionId(), this.codec.encodeMember(member));
	}

	/** Removes a member of this node (a leave). */
	@Override
	public void remove(String sessionId) {
		this.unwrittenActivity.remove(sessionId);
		this.redis.opsForHash().delete(this.keys.members(this.node), sessionId);
		this.redis.opsForHash().delete(this.keys.activity(this.node), sessionId);
	}

	/** Notes a session's activity, for the next {@link #flushActivity()}; no Redis call. */
	@Override
	public void touched(String sessionId, long lastActivityAt) {
		this.unwrittenActivity.merge(sessionId, lastActivityAt, Math::max);
	}

	/**
	 * Writes the activity noted since the last call, in one command. What fails to be written (Redis
	 * away) is noted again, unless newer activity came meanwhile.
	 */
	public void flushActivity() {
		if (this.unwrittenActivity.isEmpty()) {
			return;
		}
		Map<String, String> batch = new HashMap<>();
		for (String sessionId : List.copyOf(this.unwrittenActivity.keySet())) {
			Long at = this.unwrittenActivity.remove(sessionId);
			if (at != null) {
				batch.put(sessionId, Long.toString(at));
			}
		}
		try {
			this.redis.opsForHash().putAll(this.keys.activity(this.node), batch);
		}
		catch (RuntimeException ex) {
			batch.forEach((sessionId, at) -> touched(sessionId, Long.parseLong(at)));
			throw ex;
		}
	}

	/**
	 * Writes this node's members again, as they are now: after a Redis restart lost them, or
	 * after this node rejoined.
	 */
	public void replaceAll(List<Member> members) {
		Map<String, String> values = new HashMap<>();
		for (Member member : members) {
			values.put(member.sessionId(), this.codec.encodeMember(member));
		}
		this.redis.delete(this.keys.members(this.node));
		if (!values.isEmpty()) {
			this.redis.opsForHash().putAll(this.keys.members(this.node), values);
		}
	}

}
