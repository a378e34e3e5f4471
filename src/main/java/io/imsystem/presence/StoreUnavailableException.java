package io.imsystem.presence;

/**
 * The store shared between nodes (cluster mode's Redis) cannot be reached: what needed it (a name
 * claim, a lookup of a user on another node) cannot be decided now. One node never throws it.
 */
public final class StoreUnavailableException extends RuntimeException {

	public StoreUnavailableException(Throwable cause) {
		super("the cluster's store cannot be reached: " + cause.getMessage(), cause);
	}

}
