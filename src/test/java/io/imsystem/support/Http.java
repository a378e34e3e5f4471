package io.imsystem.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plain HTTP calls to the started app, as curl would make them. */
public final class Http {

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final int port;

	private final String authorization;

	private Http(int port, String authorization) {
		this.port = port;
		this.authorization = authorization;
	}

	public static Http anonymous(int port) {
		return new Http(port, null);
	}

	public static Http basic(int port, String user, String password) {
		return new Http(port, "Basic "
				+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
	}

	public Response get(String path) {
		return send(request(path).GET());
	}

	public Response put(String path, String json) {
		return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
	}

	public Response post(String path, String json) {
		HttpRequest.Builder builder = request(path);
		if (json != null) {
			builder.header("Content-Type", "application/json");
		}
		return send(builder.POST((json != null) ? HttpRequest.BodyPublishers.ofString(json)
				: HttpRequest.BodyPublishers.noBody()));
	}

	public Response delete(String path) {
		return send(request(path).DELETE());
	}

	/** A request with extra headers, for cross-site checks. */
	public Response send(String method, String path, String json, String... headers) {
		HttpRequest.Builder builder = request(path).headers(headers);
		if (json != null) {
			builder.header("Content-Type", "application/json");
		}
		return send(builder.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json)
				: HttpRequest.BodyPublishers.noBody()));
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10));
		if (this.authorization != null) {
			builder.header("Authorization", this.authorization);
		}
		return builder;
	}

	private static Response send(HttpRequest.Builder builder) {
		try {
			HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body(),
					response.headers().firstValue("Content-Type").orElse(""));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public record Response(int status, String body, String contentType) {

		public JsonNode json() {
			return JSON.readTree(this.body);
		}

	}

}
