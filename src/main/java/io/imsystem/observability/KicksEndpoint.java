package io.imsystem.observability;

import java.util.List;

import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.stereotype.Component;

/** {@code /actuator/kicks}: the kick history, newest first; {@code /actuator/kicks/{name}}: one user's. */
@Component
@Endpoint(id = "kicks")
public class KicksEndpoint {

	private final KickHistory history;

	public KicksEndpoint(KickHistory history) {
		this.history = history;
	}

	@ReadOperation
	public KicksDescriptor kicks() {
		return new KicksDescriptor(this.history.all());
	}

	/** The kicks of one user, by name, case-insensitively; an empty list if none. */
	@ReadOperation
	public KicksDescriptor kicksOf(@Selector String name) {
		return new KicksDescriptor(this.history.ofName(name, this.history.capacity()));
	}

	public record KicksDescriptor(List<KickRecord> kicks) {
	}

}
