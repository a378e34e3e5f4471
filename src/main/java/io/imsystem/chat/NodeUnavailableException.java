package io.imsystem.chat;

/**
 * Cluster mode: the node that has the user did not confirm an action in time (it is frozen, or
 * Redis is away). Nothing is known to have happened; the administrator may try again.
 */
public final class NodeUnavailableException extends RuntimeException {

	NodeUnavailableException(String node) {
		super("node " + node + " did not answer in time");
	}

}
