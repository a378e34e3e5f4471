package io.imsystem.web;

import jakarta.servlet.http.HttpServletRequest;

import io.imsystem.ChatProperties;
import io.imsystem.session.AddressLimiter;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the chat page asks the server over plain HTTP, because the WebSocket cannot tell it:
 * the limits it should enforce as the server does, and why a connection failed. A browser hides
 * the HTTP status of a refused WebSocket handshake (a 429 looks like any network failure, close
 * code 1006), so a page whose socket closed without ever opening asks here whether its address is
 * at {@code chat.limits.connections-per-address}, and backs off for longer if it is.
 */
@RestController
class ChatPageController {

	private final AddressLimiter addressLimiter;

	private final Settings settings;

	ChatPageController(AddressLimiter addressLimiter, ChatProperties properties) {
		this.addressLimiter = addressLimiter;
		this.settings = new Settings(properties.limits().maxTextLength());
	}

	/**
	 * @param maxTextLength the longest message text, in code points, as the server counts it
	 */
	record Settings(int maxTextLength) {
	}

	@GetMapping("/api/chat-settings")
	Settings settings() {
		return this.settings;
	}

	/**
	 * 204 while a connection from the caller's address would be admitted; 429 with a problem detail
	 * once the address is at its limit. The address is the one the handshake counts.
	 */
	@GetMapping("/api/connection-check")
	ResponseEntity<ProblemDetail> connectionCheck(HttpServletRequest request) {
		String address = request.getRemoteAddr();
		if (this.addressLimiter.hasRoom(address)) {
			return ResponseEntity.noContent().cacheControl(CacheControl.noStore()).build();
		}
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
				"%d connections are open from %s; at most %d are allowed from one address."
					.formatted(this.addressLimiter.open(address), address, this.addressLimiter.limit()));
		problem.setTitle("Too many connections");
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).cacheControl(CacheControl.noStore()).body(problem);
	}

}
