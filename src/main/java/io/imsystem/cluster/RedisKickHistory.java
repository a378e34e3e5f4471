package io.imsystem.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.session.Names;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Every node's kicks in one Redis list, newest first, trimmed to {@code chat.kick-history.capacity}
 * in the same step as the push; each record names its node. Every kick is also logged here, as the
 * in-memory history does, since the list forgets and Redis may be away.
 */
public final class RedisKickHistory implements KickHistory {

	// The category the kick lines have always been logged under, which log queries may rely on.
	private static final Logger logger = LoggerFactory.getLogger(KickHistory.class);

	static final RedisScript<Long> PUSH_CAPPED = RedisScript.of("""
			redis.call('LPUSH', KEYS[1], ARGV[1])
			redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
			return 1
			""", Long.class);

	private final StringRedisTemplate redis;

	private final String key;

	private final int capacity;

	private final ClusterCodec codec;

	RedisKickHistory(StringRedisTemplate redis, RedisKeys keys, int capacity, ClusterCodec codec) {
		this.redis = redis;
		this.key = keys.kicks();
		this.capacity = capacity;
		this.codec = codec;
	}

	@Override
	public void record(KickRecord kick) {
		logger.info(
				"kick name={} address={} reason={} idleSeconds={} connectedAt={} lastActivityAt={} kickedAt={} by={} node={}",
				kick.name(), kick.remoteAddress(), kick.reason().wire(), kick.idleSeconds(), kick.connectedAt(),
				kick.lastActivityAt(), kick.kickedAt(), (kick.kickedBy() != null) ? kick.kickedBy() : "server",
				kick.node());
		this.redis.execute(PUSH_CAPPED, List.of(this.key), this.codec.encodeKick(kick), Integer.toString(this.capacity));
	}

	@Override
	public List<KickRecord> newest(int limit) {
		return newest(limit, (kick) -> true);
	}

	@Override
	public List<KickRecord> newest(int limit, LeaveReason reason) {
		return newest(limit, (kick) -> kick.reason() == reason);
	}

	@Override
	public List<KickRecord> ofName(String name, int limit) {
		String nameKey = Names.key(name);
		return newest(limit, (kick) -> Names.key(kick.name()).equals(nameKey));
	}

	@Override
	public int capacity() {
		return this.capacity;
	}

	/** One read of the whole (bounded) list, filtered here: the list holds at most the capacity. */
	private List<KickRecord> newest(int limit, Predicate<KickRecord> filter) {
		List<KickRecord> kicks = new ArrayList<>();
		if (limit <= 0) {
			return kicks;
		}
		List<String> values = this.redis.opsForList().range(this.key, 0, this.capacity - 1);
		if (values == null) {
			return kicks;
		}
		for (String value : values) {
			KickRecord kick = this.codec.decodeKick(value);
			if (filter.test(kick)) {
				kicks.add(kick);
				if (kicks.size() == limit) {
					break;
				}
			}
		}
		return kicks;
	}

}
