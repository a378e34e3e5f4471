package io.imsystem.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed admin logins per remote address, as a generic cell rate: each address may fail
 * {@code burst} times in a row, then one more time per {@code period}. A try is charged before the
 * credentials are checked, so that concurrent guesses cannot slip past the limit together, and
 * refunded in full by a successful login. An address that has used up its tries is refused even
 * with the right password: otherwise the limit would only slow down the guesses it exists to stop.
 */
final class LoginThrottle {

	/** Above this many tracked addresses, those that are fully forgiven are dropped. */
	static final int PRUNE_ABOVE = 10_000;

	private final int burst;

	private final long periodMillis;

	private final Clock clock;

	/** Per address, the time at which all of its failures are forgiven (GCRA's theoretical arrival time). */
	private final ConcurrentHashMap<String, Long> forgivenAt = new ConcurrentHashMap<>();

	private volatile int pruneAbove = PRUNE_ABOVE;

	LoginThrottle(int burst, Duration period, Clock clock) {
		this.burst = burst;
		this.periodMillis = period.toMillis();
		this.clock = clock;
	}

	/**
	 * Charges one try to an address, if it has one left.
	 * @return whether the try may go ahead, and if not, how long until it may
	 */
	Decision tryLogin(String address) {
		long now = this.clock.millis();
		long limit = this.burst * this.periodMillis;
		Decision[] decision = new Decision[1];
		this.forgivenAt.compute(address, (key, at) -> {
			long from = (at == null) ? now : Math.max(at, now);
			if (from + this.periodMillis - now > limit) {
				decision[0] = new Decision(false, from + this.periodMillis - limit - now, false);
				return at;
			}
			long next = from + this.periodMillis;
			decision[0] = new Decision(true, 0, next + this.periodMillis - now > limit);
			return next;
		});
		if (this.forgivenAt.size() > this.pruneAbove) {
			this.forgivenAt.values().removeIf((at) -> at <= now);
			// Many addresses that are all still counted: scan again only once they have doubled, so
			// that a spread-out attack cannot make every login pay for a scan.
			this.pruneAbove = Math.max(PRUNE_ABOVE, 2 * this.forgivenAt.size());
		}
		return decision[0];
	}

	/** A successful login forgives every failure of its address. */
	void succeeded(String address) {
		this.forgivenAt.remove(address);
	}

	int tracked() {
		return this.forgivenAt.size();
	}

	/**
	 * @param allowed whether the login may be checked
	 * @param retryAfterMillis when not allowed, how long until the next try is
	 * @param lastTry when allowed, whether this is the last try before the address is refused
	 */
	record Decision(boolean allowed, long retryAfterMillis, boolean lastTry) {

		long retryAfterSeconds() {
			return Math.max(1, (this.retryAfterMillis + 999) / 1000);
		}

	}

}
