package io.imsystem.admin;

import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.JsonNode;

import io.imsystem.ChatProperties;
import io.imsystem.chat.Moderation;
import io.imsystem.chat.NodeUnavailableException;
import io.imsystem.idle.IdlePolicy;
import io.imsystem.idle.KickHistory;
import io.imsystem.idle.KickRecord;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.Utf8;
import io.imsystem.presence.Presence;
import io.imsystem.presence.StoreUnavailableException;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The operators' API: who is online, the idle timeout (global and per user) changed at run time,
 * kicks, the kick history, a dry run of a timeout, and the audit of timeout changes and kicks.
 */
@RestController
@RequestMapping("/api/admin")
class AdminController {

	static final String DEFAULT_KICK_MESSAGE = "kicked by an administrator";

	private final Presence presence;

	private final Moderation moderation;

	private final IdlePolicy policy;

	private final KickHistory kickHistory;

	private final AdminAudit audit;

	private final ChatProperties properties;

	private final Clock clock;

	AdminController(Presence presence, Moderation moderation, IdlePolicy policy, KickHistory kickHistory,
			AdminAudit audit, ChatProperties properties, Clock clock) {
		this.presence = presence;
		this.moderation = moderation;
		this.policy = policy;
		this.kickHistory = kickHistory;
		this.audit = audit;
		this.properties = properties;
		this.clock = clock;
	}

	@GetMapping("/users")
	List<UserView> users() {
		long now = this.clock.millis();
		List<UserView> users = new ArrayList<>();
		for (Presence.Member member : this.presence.members(now)) {
			users.add(UserView.of(member, this.policy.timeoutFor(member.timeoutOverride()), member.timeoutOverride()));
		}
		users.sort(Comparator.comparing(UserView::name, String.CASE_INSENSITIVE_ORDER));
		return users;
	}

	/** The nodes serving the room (one, or every live node of a cluster), and which one answered. */
	@GetMapping("/nodes")
	NodesView nodes() {
		List<NodeView> nodes = new ArrayList<>();
		for (Presence.Node node : this.presence.nodes(this.clock.millis())) {
			nodes.add(new NodeView(node.node(), node.online(), Instant.ofEpochMilli(node.lastHeartbeat())));
		}
		nodes.sort(Comparator.comparing(NodeView::node));
		return new NodesView(node(), nodes);
	}

	@GetMapping("/timeout")
	TimeoutView timeout() {
		IdlePolicy.Settings settings = this.policy.settings();
		Duration effectiveWarning = IdlePolicy.effectiveWarning(settings.timeout(), settings.warningBefore());
		return new TimeoutView(settings.timeout().toSeconds(), settings.warningBefore().toSeconds(),
				ceilSeconds(effectiveWarning), this.properties.idle().sweepInterval().toMillis());
	}

	@PutMapping("/timeout")
	TimeoutView changeTimeout(@RequestBody JsonNode body, Principal admin) {
		onlyFields(body, "timeoutSeconds", "warningSeconds");
		Duration timeout = seconds(body, "timeoutSeconds", true);
		Duration warning = seconds(body, "warningSeconds", false);
		// A warning asked for must come before the kick; one kept from before (or from the
		// configuration) is not refused, it comes at half the timeout when it is too long.
		if (warning != null && !warning.isZero() && warning.compareTo(timeout) >= 0) {
			throw badRequest("warningSeconds must be shorter than timeoutSeconds (or 0 for no warning), was "
					+ warning.toSeconds() + "s with a timeout of " + timeout.toSeconds() + "s");
		}
		IdlePolicy.Settings before = this.policy.settings();
		IdlePolicy.Settings old = this.policy.update(timeout, (warning != null) ? warning : before.warningBefore());
		IdlePolicy.Settings now = this.policy.settings();
		this.audit.record(new AuditEntry(this.clock.instant(), admin.getName(), AuditAction.GLOBAL_TIMEOUT, "*",
				old.timeout().toSeconds(), now.timeout().toSeconds(), old.warningBefore().toSeconds(),
				now.warningBefore().toSeconds(), node()));
		return timeout();
	}

	@PutMapping("/users/{name}/timeout")
	UserView overrideTimeout(@PathVariable String name, @RequestBody JsonNode body, Principal admin) {
		onlyFields(body, "timeoutSeconds");
		liveMember(name);
		Duration timeout = seconds(body, "timeoutSeconds", true);
		Presence.Member before = override(name, timeout);
		Duration old = before.timeoutOverride();
		this.audit.record(new AuditEntry(this.clock.instant(), admin.getName(), AuditAction.USER_TIMEOUT,
				before.name(), (old != null) ? old.toSeconds() : null, timeout.toSeconds(), null, null, node()));
		return UserView.of(before, timeout, timeout);
	}

	@DeleteMapping("/users/{name}/timeout")
	UserView removeTimeoutOverride(@PathVariable String name, Principal admin) {
		Presence.Member before = override(name, null);
		Duration old = before.timeoutOverride();
		if (old != null) {
			this.audit.record(new AuditEntry(this.clock.instant(), admin.getName(), AuditAction.USER_TIMEOUT_REMOVED,
					before.name(), old.toSeconds(), null, null, null, node()));
		}
		return UserView.of(before, this.policy.timeoutFor((Duration) null), null);
	}

	@PostMapping("/users/{name}/kick")
	KickRecord kick(@PathVariable String name, @RequestBody(required = false) JsonNode body, Principal admin) {
		if (body != null) {
			onlyFields(body, "message");
		}
		liveMember(name);
		String message = DEFAULT_KICK_MESSAGE;
		if (body != null && body.has("message")) {
			JsonNode given = body.get("message");
			if (!given.isString() || given.stringValue().isBlank() || given.stringValue().length() > 200) {
				throw badRequest("message must be a non-blank string of at most 200 characters");
			}
			// Recorded and sent as well-formed text: a lone surrogate (a JSON escape) becomes U+FFFD.
			message = Utf8.wellFormed(given.stringValue()).strip();
		}
		KickRecord kick = this.moderation.kick(name, message, admin.getName());
		if (kick == null) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no user named " + name);
		}
		this.audit.record(new AuditEntry(this.clock.instant(), admin.getName(), AuditAction.KICK, kick.name(), null,
				null, null, null, node()));
		return kick;
	}

	@GetMapping("/kicks")
	List<KickRecord> kicks(@RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String reason) {
		if (limit < 1 || limit > this.kickHistory.capacity()) {
			throw badRequest("limit must be between 1 and " + this.kickHistory.capacity());
		}
		LeaveReason wanted = (reason != null) ? kickReason(reason) : null;
		return (wanted != null) ? this.kickHistory.newest(limit, wanted) : this.kickHistory.newest(limit);
	}

	@GetMapping("/idle-preview")
	List<UserView> idlePreview(@RequestParam long timeoutSeconds) {
		Duration timeout = Duration.ofSeconds(timeoutSeconds);
		checkTimeout(timeout);
		long now = this.clock.millis();
		List<UserView> wouldGo = new ArrayList<>();
		for (Presence.Member member : this.presence.members(now)) {
			// A session with its own timeout keeps it: a global change does not move it.
			Duration effective = (member.timeoutOverride() != null) ? member.timeoutOverride() : timeout;
			if (now - member.lastActivityAt() >= effective.toMillis()) {
				wouldGo.add(UserView.of(member, effective, member.timeoutOverride()));
			}
		}
		wouldGo.sort(Comparator.comparingLong(UserView::idleSeconds).reversed());
		return wouldGo;
	}

	@GetMapping("/audit")
	List<AuditEntry> audit() {
		return this.audit.newest(this.audit.capacity());
	}

	/**
	 * Cluster mode while Redis, or the node that has the user, does not answer: nothing is known
	 * to have been done, never a false success; the administrator may try again shortly.
	 */
	@ExceptionHandler({ StoreUnavailableException.class, DataAccessException.class, NodeUnavailableException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The chat cannot reach the rest of its cluster now.");
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, "2")
			.body(problem);
	}

	private String node() {
		return this.properties.cluster().nodeId();
	}

	private Presence.Member liveMember(String name) {
		Presence.Member member = this.moderation.member(name);
		if (member == null) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no user named " + name);
		}
		return member;
	}

	/** @return the user before the change */
	private Presence.Member override(String name, Duration timeout) {
		Presence.Member before;
		try {
			before = this.moderation.overrideTimeout(name, timeout);
		}
		catch (IllegalArgumentException ex) {
			throw badRequest(ex.getMessage());
		}
		if (before == null) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no user named " + name);
		}
		return before;
	}

	/**
	 * Refuses a body that is not an object or has a field this request does not take: a misspelt
	 * or renamed field silently ignored would do something other than what the administrator
	 * asked for. Bodies are read as a tree, so Jackson's FAIL_ON_UNKNOWN_PROPERTIES (off in Spring
	 * Boot) does not apply; this check is the admin API's own.
	 */
	private static void onlyFields(JsonNode body, String... allowed) {
		if (body == null || !body.isObject()) {
			throw badRequest("the request body must be a JSON object");
		}
		List<String> known = List.of(allowed);
		for (String field : body.propertyNames()) {
			if (!known.contains(field)) {
				throw badRequest("unknown field " + field + "; this request takes " + String.join(", ", known));
			}
		}
	}

	private static long ceilSeconds(Duration duration) {
		return (duration.toMillis() + 999) / 1000;
	}

	private Duration seconds(JsonNode body, String field, boolean required) {
		JsonNode value = (body != null && body.isObject()) ? body.get(field) : null;
		if (value == null || value.isNull()) {
			if (required) {
				throw badRequest(field + " is required");
			}
			return null;
		}
		if (!value.isIntegralNumber() || !value.canConvertToLong()) {
			throw badRequest(field + " must be a whole number of seconds");
		}
		Duration duration = Duration.ofSeconds(value.longValue());
		if (field.equals("timeoutSeconds")) {
			checkTimeout(duration);
		}
		else if (duration.isNegative()) {
			throw badRequest(field + " must not be negative");
		}
		return duration;
	}

	private void checkTimeout(Duration timeout) {
		try {
			this.policy.checkTimeout(timeout);
		}
		catch (IllegalArgumentException ex) {
			throw badRequest(ex.getMessage());
		}
	}

	private static LeaveReason kickReason(String reason) {
		for (LeaveReason candidate : LeaveReason.values()) {
			if (candidate.isKick() && candidate.wire().equals(reason.toLowerCase(Locale.ROOT))) {
				return candidate;
			}
		}
		throw badRequest("reason must be one of idle, admin, slow, shutdown");
	}

	private static ResponseStatusException badRequest(String detail) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, detail);
	}

	/**
	 * @param warningSeconds the global warning as set
	 * @param effectiveWarningSeconds the warning that applies with the global timeout: half of it
	 * when {@code warningSeconds} is not shorter (rounded up)
	 */
	record TimeoutView(long timeoutSeconds, long warningSeconds, long effectiveWarningSeconds,
			long sweepIntervalMillis) {
	}

	/**
	 * @param answeredBy the node that answered this request
	 * @param nodes the live nodes, by id
	 */
	record NodesView(String answeredBy, List<NodeView> nodes) {
	}

	/**
	 * @param node its id
	 * @param online its sessions, as of its last heartbeat
	 * @param lastHeartbeat when it last reported
	 */
	record NodeView(String node, int online, Instant lastHeartbeat) {
	}

	/**
	 * @param node the node the user is connected to
	 * @param override whether {@code timeoutSeconds} is the user's own rather than the global one
	 */
	record UserView(String name, String node, String remoteAddress, Instant connectedAt, Instant lastActivityAt,
			long idleSeconds, long timeoutSeconds, boolean override) {

		/** @param override the member's own timeout after the request, or {@code null} */
		static UserView of(Presence.Member member, Duration timeout, Duration override) {
			return new UserView(member.name(), member.node(), member.remoteAddress(), Instant.ofEpochMilli(member.connectedAt()),
					Instant.ofEpochMilli(member.lastActivityAt()), member.idleSeconds(), timeout.toSeconds(),
					override != null);
		}

	}

}
