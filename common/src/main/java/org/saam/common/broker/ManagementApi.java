package org.saam.common.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The few calls of the RabbitMQ management HTTP API that gateway administration needs. */
public final class ManagementApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI base;
  private final String authorization;

  /**
   * @param base for example {@code http://127.0.0.1:15672}
   * @param user an administrator of the broker
   * @param password its password
   */
  public ManagementApi(URI base, String user, String password) {
    // HTTP/1.1: the management API closes the connection on a request that asks to upgrade to h2c.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.base = base;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Path segment encoding as the management API expects it ({@code /} becomes {@code %2F}). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GET; {@code null} when the resource does not exist. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send(request(path).GET().build());
    if (response.statusCode() == 404) {
      return null;
    }
    expectSuccess("GET", path, response);
    return JSON.readTree(response.body());
  }

  public void put(String path, Object body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        send(
            request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build());
    expectSuccess("PUT", path, response);
  }

  /** DELETE; {@code false} when there was nothing to delete. */
  public boolean delete(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send(request(path).DELETE().build());
    if (response.statusCode() == 404) {
      return false;
    }
    expectSuccess("DELETE", path, response);
    return true;
  }

  /**
   * Closes every open connection of a broker user (after its account was deleted or its password
   * changed: RabbitMQ checks credentials only when a connection opens).
   *
   * @return how many were closed
   */
  public int closeConnectionsOf(String user) throws IOException, InterruptedException {
    JsonNode connections = get("connections");
    int closed = 0;
    if (connections != null) {
      for (JsonNode connection : connections) {
        if (user.equals(connection.path("user").asText())) {
          delete("connections/" + segment(connection.path("name").asText()));
          closed++;
        }
      }
    }
    return closed;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve("/api/" + path))
        .timeout(Duration.ofSeconds(15))
        .header("Authorization", authorization);
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new IOException(
          "the RabbitMQ management API at " + base + " is not reachable; is the broker up?", e);
    }
  }

  private static void expectSuccess(String method, String path, HttpResponse<String> response)
      throws IOException {
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "RabbitMQ management API "
              + method
              + " /api/"
              + path
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
  }
}
