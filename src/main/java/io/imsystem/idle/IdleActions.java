package io.imsystem.idle;

import io.imsystem.session.ChatSession;

/** What the idle sweeper does to a session; the chat service carries it out. */
public interface IdleActions {

	/** The session has {@code secondsLeft} (rounded up, at least 1) before it is kicked. */
	void warn(ChatSession session, long secondsLeft);

	/** The session reached its idle deadline at {@code deadline}; it is {@code now}. */
	void expire(ChatSession session, long deadline, long now);

}
