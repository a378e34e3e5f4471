package io.imsystem.cluster;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.imsystem.admin.AdminAudit;
import io.imsystem.admin.AuditEntry;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Every node's administrator actions in one Redis list, newest first, trimmed to
 * {@code chat.audit.capacity}; each entry names its node. Also logged, as on one node.
 */
public final class RedisAdminAudit implements AdminAudit {

	// The category the audit lines have always been logged under, which log queries may rely on.
	private static final Logger logger = LoggerFactory.getLogger(AdminAudit.class);

	private final StringRedisTemplate redis;

	private final String key;

	private final int capacity;

	private final ClusterCodec codec;

	RedisAdminAudit(StringRedisTemplate redis, RedisKeys keys, int capacity, ClusterCodec codec) {
		this.redis = redis;
		this.key = keys.audit();
		this.capacity = capacity;
		this.codec = codec;
	}

	@Override
	public void record(AuditEntry entry) {
		logger.info(
				"audit actor={} action={} target={} oldSeconds={} newSeconds={} oldWarningSeconds={} newWarningSeconds={} node={}",
				entry.actor(), entry.action().wire(), entry.target(), entry.oldSeconds(), entry.newSeconds(),
				entry.oldWarningSeconds(), entry.newWarningSeconds(), entry.node());
		this.redis.execute(RedisKickHistory.PUSH_CAPPED, List.of(this.key), this.codec.encodeAudit(entry),
				Integer.toString(this.capacity));
	}

	@Override
	public List<AuditEntry> newest(int limit) {
		List<AuditEntry> entries = new ArrayList<>();
		if (limit <= 0) {
			return entries;
		}
		List<String> values = this.redis.opsForList().range(this.key, 0, Math.min(limit, this.capacity) - 1);
		if (values != null) {
			for (String value : values) {
				entries.add(this.codec.decodeAudit(value));
			}
		}
		return entries;
	}

	@Override
	public int capacity() {
		return this.capacity;
	}

}
