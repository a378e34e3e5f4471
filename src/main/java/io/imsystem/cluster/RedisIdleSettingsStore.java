package io.imsystem.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.broker.Control;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.IdleSettingsStore;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The global idle settings of every node, in one Redis hash with a version. {@link #current()} is
 * read at every sweep, so it answers from this node's copy, which is refreshed when another node
 * announces a change ({@link Control.SettingsChanged}, see {@link #refresh()}) and at every
 * heartbeat, in case that announcement was lost (pub/sub delivers at most once). An update is a
 * compare-and-set on the version: two administrators changing the timeout on two nodes at once
 * both get a version of their own, one after the other.
 */
public final class RedisIdleSettingsStore implements IdleSettingsStore {

	private static final Logger logger = LoggerFactory.getLogger(RedisIdleSettingsStore.class);

	// KEYS: settings; ARGV: timeout ms, warning ms, version. Writes only when none are stored yet.
	private static final RedisScript<Long> INITIALIZE = RedisScript.of("""
			if redis.call('EXISTS', KEYS[1]) == 0 then
			  redis.call('HSET', KEYS[1], 'timeoutMillis', ARGV[1], 'warningMillis', ARGV[2], 'version', ARGV[3])
			  return 1
			end
			return 0
			""", Long.class);

	// KEYS: settings; ARGV: expected version, timeout ms, warning ms, new version
	private static final RedisScript<Long> COMPARE_AND_SET = RedisScript.of("""
			if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then
			  return 0
			end
			redis.call('HSET', KEYS[1], 'timeoutMillis', ARGV[2], 'warningMillis', ARGV[3], 'version', ARGV[4])
			return 1
			""", Long.class);

	private final StringRedisTemplate redis;

	private final String key;

	private final IdlePolicy.Settings initial;

	private final Consumer<Control> notifier;

	private final AtomicReference<IdlePolicy.Settings> current;

	private final List<Consumer<IdlePolicy.Settings>> listeners = new CopyOnWriteArrayList<>();

	/**
	 * @param initial the configured settings, stored when Redis holds none yet (the first node)
	 * @param notifier sends the change announcement to every node (the broker's control channel)
	 */
	RedisIdleSettingsStore(StringRedisTemplate redis, RedisKeys keys, IdlePolicy.Settings initial,
			Consumer<Control> notifier) {
		this.redis = redis;
		this.key = keys.idleSettings();
		this.initial = initial;
		this.notifier = notifier;
		this.current = new AtomicReference<>(initial);
	}

	/**
	 * Stores the configured settings if none are stored yet, and reads those in force. Fails when
	 * Redis is away; {@link #refresh()} catches up later.
	 */
	void load() {
		this.redis.execute(INITIALIZE, List.of(this.key), Long.toString(this.initial.timeout().toMillis()),
				Long.toString(this.initial.warningBefore().toMillis()), Long.toString(this.initial.version()));
		refresh();
	}

	@Override
	public IdlePolicy.Settings current() {
		return this.current.get();
	}

	@Override
	public IdlePolicy.Settings update(UnaryOperator<IdlePolicy.Settings> change) {
		while (true) {
			IdlePolicy.Settings old = read();
			if (old == null) {
				load();
				continue;
			}
			IdlePolicy.Settings next = change.apply(old);
			Long set = this.redis.execute(COMPARE_AND_SET, List.of(this.key), Long.toString(old.version()),
					Long.toString(next.timeout().toMillis()), Long.toString(next.warningBefore().toMillis()),
					Long.toString(next.version()));
			if (set != null && set == 1) {
				adopt(next);
				try {
					this.notifier.accept(new Control.SettingsChanged(null, next.version()));
				}
				catch (RuntimeException ex) {
					// The change is stored: the other nodes read it at their next heartbeat.
					logger.warn("Could not announce idle settings version {}", next.version(), ex);
				}
				return old;
			}
		}
	}

	@Override
	public void onChange(Consumer<IdlePolicy.Settings> listener) {
		this.listeners.add(listener);
	}

	/** Re-reads the stored settings; the listeners hear of a newer version. */
	public void refresh() {
		IdlePolicy.Settings stored = read();
		if (stored != null) {
			adopt(stored);
		}
	}

	/** Takes settings of a newer version than the ones held, and tells the listeners. */
	private void adopt(IdlePolicy.Settings settings) {
		IdlePolicy.Settings before = this.current
			.getAndUpdate((held) -> (settings.version() > held.version() || held == this.initial) ? settings : held);
		if (before != settings && this.current.get() == settings && !settings.equals(before)) {
			for (Consumer<IdlePolicy.Settings> listener : this.listeners) {
				listener.accept(settings);
			}
		}
	}

	private IdlePolicy.Settings read() {
		Map<Object, Object> stored = this.redis.opsForHash().entries(this.key);
		if (stored == null || stored.isEmpty()) {
			return null;
		}
		return new IdlePolicy.Settings(Duration.ofMillis(Long.parseLong(stored.get("timeoutMillis").toString())),
				Duration.ofMillis(Long.parseLong(stored.get("warningMillis").toString())),
				Long.parseLong(stored.get("version").toString()));
	}

}
