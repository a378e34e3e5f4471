package io.imsystem.socket;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

import io.imsystem.ChatProperties;
import io.imsystem.chat.ChatService;
import io.imsystem.session.ChatSession;
import io.imsystem.chat.Roster;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Finds dead peers: pings every WebSocket session each {@code chat.heartbeat.interval}, and
 * {@code chat.heartbeat.timeout} later drops those that have not answered (leave reason
 * {@code error}). A half-open TCP connection would otherwise hold its name until the idle timeout.
 * Pings and pongs are never user activity.
 */
@Component
class Heartbeat implements SmartLifecycle {

	private final Roster registry;

	private final ChatService chat;

	private final TaskScheduler scheduler;

	private final ChatProperties.Heartbeat settings;

	private final Clock clock;

	private volatile ScheduledFuture<?> pinging;

	Heartbeat(Roster registry, ChatService chat, TaskScheduler scheduler, ChatProperties properties,
			Clock clock) {
		this.registry = registry;
		this.chat = chat;
		this.scheduler = scheduler;
		this.settings = properties.heartbeat();
		this.clock = clock;
	}

	@Override
	public void start() {
		this.pinging = this.scheduler.scheduleAtFixedRate(this::pingAll,
				Instant.now().plus(this.settings.interval()), this.settings.interval());
	}

	@Override
	public void stop() {
		ScheduledFuture<?> task = this.pinging;
		if (task != null) {
			task.cancel(false);
			this.pinging = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.pinging != null;
	}

	void pingAll() {
		long now = this.clock.millis();
		boolean pinged = false;
		for (ChatSession session : this.registry.sessions()) {
			if (session.isLive() && session.connection() instanceof WebSocketConnection connection) {
				pinged |= connection.ping(now);
			}
		}
		if (pinged) {
			this.scheduler.schedule(this::dropDead, Instant.now().plus(this.settings.timeout()));
		}
	}

	void dropDead() {
		long now = this.clock.millis();
		long timeout = this.settings.timeout().toMillis();
		for (ChatSession session : this.registry.sessions()) {
			if (session.connection() instanceof WebSocketConnection connection && connection.isDead(now, timeout)) {
				this.chat.lost(session);
			}
		}
	}

}
