package io.imsystem.cluster;

import java.util.List;
import java.util.function.Supplier;

import io.imsystem.presence.NameDirectory;
import io.imsystem.presence.StoreUnavailableException;
import io.imsystem.session.Names;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The names of every node's room, in one Redis hash (name key to owner) with an index per node
 * (the names its sessions hold, freed at once when the node dies). Each operation is one Lua
 * script, so a claim, a move or a release is atomic across nodes: of two renames to one name on
 * two nodes, exactly one wins. Redis errors (an outage) propagate: the chat answers {@code
 * unavailable} rather than guessing.
 */
public final class RedisNameDirectory implements NameDirectory {

	// KEYS: names, node-names(owner's node); ARGV: key, owner
	private static final RedisScript<Long> CLAIM = RedisScript.of("""
			if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
			  redis.call('SADD', KEYS[2], ARGV[1])
			  return 1
			end
			return 0
			""", Long.class);

	// KEYS: names, node-names; ARGV: old key, new key, owner
	private static final RedisScript<Long> MOVE = RedisScript.of("""
			if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then
			  return 0
			end
			redis.call('SADD', KEYS[2], ARGV[2])
			if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[3] then
			  redis.call('HDEL', KEYS[1], ARGV[1])
			  redis.call('SREM', KEYS[2], ARGV[1])
			end
			return 1
			""", Long.class);

	// KEYS: names, node-names; ARGV: key, owner
	private static final RedisScript<Long> RELEASE = RedisScript.of("""
			if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
			  redis.call('HDEL', KEYS[1], ARGV[1])
			  redis.call('SREM', KEYS[2], ARGV[1])
			  return 1
			end
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	RedisNameDirectory(StringRedisTemplate redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
	}

	@Override
	public boolean claim(String name, Owner owner) {
		Long claimed = run(() -> this.redis.execute(CLAIM,
				List.of(this.keys.names(), this.keys.nodeNames(owner.node())), Names.key(name), encode(owner)));
		return claimed != null && claimed == 1;
	}

	@Override
	public boolean move(String from, String to, Owner owner) {
		String oldKey = Names.key(from);
		String newKey = Names.key(to);
		if (newKey.equals(oldKey)) {
			return true;
		}
		Long moved = run(() -> this.redis.execute(MOVE, List.of(this.keys.names(), this.keys.nodeNames(owner.node())),
				oldKey, newKey, encode(owner)));
		return moved != null && moved == 1;
	}

	@Override
	public void release(String name, Owner owner) {
		run(() -> this.redis.execute(RELEASE, List.of(this.keys.names(), this.keys.nodeNames(owner.node())),
				Names.key(name), encode(owner)));
	}

	@Override
	public Owner owner(String name) {
		Object value = run(() -> this.redis.opsForHash().get(this.keys.names(), Names.key(name)));
		return (value != null) ? decode(value.toString()) : null;
	}

	/** Redis away (refused while disconnected, or timed out): the chat answers {@code unavailable}. */
	static <T> T run(Supplier<T> command) {
		try {
			return command.get();
		}
		catch (DataAccessException ex) {
			throw new StoreUnavailableException(ex);
		}
	}

	/** Node ids have no space (see {@code ChatProperties.Cluster}): the first one ends the node. */
	static String encode(Owner owner) {
		return owner.node() + " " + owner.sessionId();
	}

	static Owner decode(String value) {
		int space = value.indexOf(' ');
		if (space < 0) {
			throw new IllegalStateException("not an owner: " + value);
		}
		return new Owner(value.substring(0, space), value.substring(space + 1));
	}

}
