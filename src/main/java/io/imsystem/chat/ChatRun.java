package io.imsystem.chat;

import java.util.ArrayList;
import java.util.List;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.ServerEvent;
import io.imsystem.session.ChatSession;

/**
 * The chats of one session that arrived together (what one read of a line user's socket brought),
 * gathered so that they reach each recipient as one delivery: a client that sends 100 lines at
 * once costs one queued item per recipient instead of 100, and one publish in cluster mode. Each
 * chat is still its own event, in its own frame or line, in the order sent.
 * <p>
 * They go out when the read is over ({@link ChatService#flush}), before anything else the session
 * does (a rename, a {@code who}, a refused line, its leave), and whenever {@link #MAX_CHATS} or
 * {@link #MAX_TEXT_CHARS} are reached, which keeps a delivery well under any client's send
 * buffer limit. Owned by one connection and used only on its thread.
 */
public final class ChatRun {

	/** The most chats one delivery carries. */
	static final int MAX_CHATS = 128;

	/**
	 * The most text, in chars, one delivery carries (with names and addresses, its lines stay under
	 * the line gateway's 64 KB direct write).
	 */
	static final int MAX_TEXT_CHARS = 16 * 1024;

	private final List<Envelope> chats = new ArrayList<>();

	private ChatSession session;

	private int textChars;

	/** Adds a chat of {@code session}; a run holds one session's chats only. */
	void add(ChatSession session, Envelope chat, int textChars) {
		if (this.session != null && this.session != session) {
			throw new IllegalStateException("a run holds the chats of one session");
		}
		this.session = session;
		this.chats.add(chat);
		this.textChars += textChars;
	}

	boolean isFull() {
		return this.chats.size() >= MAX_CHATS || this.textChars >= MAX_TEXT_CHARS;
	}

	boolean isEmpty() {
		return this.chats.isEmpty();
	}

	ChatSession session() {
		return this.session;
	}

	int size() {
		return this.chats.size();
	}

	/**
	 * Empties the run.
	 * @return what it held as one envelope: the lone chat's own, or a {@link ServerEvent.Chats}
	 */
	Envelope take() {
		Envelope taken = (this.chats.size() == 1) ? this.chats.get(0)
				: new Envelope(new ServerEvent.Chats(this.chats, this.chats.get(this.chats.size() - 1).event().ts()));
		this.chats.clear();
		this.session = null;
		this.textChars = 0;
		return taken;
	}

}
