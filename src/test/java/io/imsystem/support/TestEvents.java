package io.imsystem.support;

import java.util.ArrayList;
import java.util.List;

import io.imsystem.protocol.ServerEvent;

/** Events the unit tests of both transports send. */
public final class TestEvents {

	private TestEvents() {
	}

	/** A {@code users} answer listing {@code count} users: about 60 bytes each in JSON. */
	public static ServerEvent.Users users(int count) {
		List<ServerEvent.Users.User> users = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			users.add(new ServerEvent.Users.User("user-" + i, 1_700_000_000_000L + i, 0, null));
		}
		return new ServerEvent.Users(users, 1);
	}

}
