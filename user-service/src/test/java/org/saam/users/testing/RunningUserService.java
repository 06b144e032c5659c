package org.saam.users.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.saam.users.UserService;
import org.saam.users.UserServiceConfig;

/**
 * The user service running in the test JVM against the local stack (PostgreSQL, Redis, Keycloak,
 * Elasticsearch, the MongoDB-wire server), on a free port, with no clock skew allowance so expiry
 * can be tested in seconds.
 */
public final class RunningUserService implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  public static final ObjectMapper JSON = new ObjectMapper();

  private final UserService service;
  private final String base;

  private RunningUserService(UserService service) {
    this.service = service;
    this.base = "http://127.0.0.1:" + service.port();
  }

  public static RunningUserService start() {
    return start(Map.of());
  }

  /** {@link #start()} with some variables of the service's environment set by the test. */
  public static RunningUserService start(Map<String, String> overrides) {
    // The local stack's defaults, and the broker administrator that ./saam test passes on.
    Map<String, String> broker = new java.util.HashMap<>(overrides);
    broker.put(org.saam.common.config.LocalMode.VARIABLE, "true");
    // Nothing runs a pipeline against this service unless a test says so: no need to wait.
    broker.putIfAbsent("SAAM_ERASURE_GRACE_SECONDS", "0");
    System.getenv()
        .forEach(
            (key, value) -> {
              if (key.startsWith("SAAM_RABBITMQ_")) {
                broker.put(key, value);
              }
            });
    UserServiceConfig config =
        UserServiceConfig.fromEnvironment(broker)
            .withPort(0)
            .withClockSkew(Duration.ZERO)
            .withTokenLogInterval(Duration.ZERO);
    return new RunningUserService(UserService.start(config));
  }

  /** The running service itself. */
  public UserService service() {
    return service;
  }

  /** A response: status, headers, body text and body as JSON (or null). */
  public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonNode json() {
      try {
        return body.isEmpty() ? null : JSON.readTree(body);
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    public String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }
  }

  public Reply send(String method, String path, String token, String contentType, byte[] body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.headers(), response.body());
  }

  /** Sends the body without a length (chunked), as a client that does not declare it would. */
  public Reply sendChunked(
      String method, String path, String token, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", contentType)
            .method(
                method,
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(body)));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.headers(), response.body());
  }

  public Reply json(String method, String path, String token, Object body) throws Exception {
    byte[] bytes = body instanceof String text ? text.getBytes() : JSON.writeValueAsBytes(body);
    return send(method, path, token, "application/json", bytes);
  }

  public Reply get(String path, String token) throws Exception {
    return send("GET", path, token, null, null);
  }

  @Override
  public void close() {
    service.close();
  }
}
