package io.imsystem.idle;

import java.util.List;

import io.imsystem.session.ChatSession;

/** What the idle sweeper does to sessions; the chat service carries it out. */
public interface IdleActions {

	/** The session has {@code secondsLeft} (rounded up, at least 1) before it is kicked. */
	void warn(ChatSession session, long secondsLeft);

	/**
	 * These sessions reached their idle deadlines, all found in one sweep at {@code now}. They come
	 * together so that kicking thousands at once does not tell each of them about all the others.
	 */
	void expire(List<Expired> expired, long now);

	/**
	 * @param session the session to kick
	 * @param deadline when it reached its timeout, epoch milliseconds
	 */
	record Expired(ChatSession session, long deadline) {
	}

}
