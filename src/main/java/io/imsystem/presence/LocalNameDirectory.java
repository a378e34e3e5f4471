package io.imsystem.presence;

import java.util.concurrent.ConcurrentHashMap;

import io.imsystem.session.Names;

/** The names of one node's room: one atomic {@code putIfAbsent} per claim. */
public final class LocalNameDirectory implements NameDirectory {

	private final ConcurrentHashMap<String, Owner> byKey = new ConcurrentHashMap<>();

	@Override
	public boolean claim(String name, Owner owner) {
		return this.byKey.putIfAbsent(Names.key(name), owner) == null;
	}

	@Override
	public boolean move(String from, String to, Owner owner) {
		String oldKey = Names.key(from);
		String newKey = Names.key(to);
		if (newKey.equals(oldKey)) {
			return true;
		}
		if (this.byKey.putIfAbsent(newKey, owner) != null) {
			return false;
		}
		this.byKey.remove(oldKey, owner);
		return true;
	}

	@Override
	public void release(String name, Owner owner) {
		this.byKey.remove(Names.key(name), owner);
	}

	@Override
	public Owner owner(String name) {
		return this.byKey.get(Names.key(name));
	}

}
