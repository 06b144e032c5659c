package org.saam.stream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.saam.common.realm.RealmNames;

/**
 * The running user service (./saam test starts it), used as an administrator would: with a real
 * token of the demo admin account.
 */
public final class UserServiceClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String token;

  private UserServiceClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  public static UserServiceClient asAdmin() throws Exception {
    String keycloak = System.getenv().getOrDefault("SAAM_IT_KEYCLOAK", "http://127.0.0.1:8180");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(RealmNames.tokenEndpoint(keycloak)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "grant_type=password&client_id=saam-cli&username=admin-demo"
                                + "&password=admin-demo-pass&scope=openid%20userapi"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("no admin token: " + response.body());
    }
    return new UserServiceClient(
        System.getenv().getOrDefault("SAAM_IT_USERS", "http://127.0.0.1:8090"),
        JSON.readTree(response.body()).get("access_token").asText());
  }

  public JsonNode post(String path, Map<String, Object> body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** Sends {@code method path} without a body; answers the status and the JSON body. */
  public Map.Entry<Integer, JsonNode> send(String method, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Map.entry(
        response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
  }

  /** Creates a person and returns their id. */
  public String createPerson(String name, String timeZone) throws Exception {
    return post("/v1/users", Map.of("display_name", name, "time_zone", timeZone))
        .get("id")
        .asText();
  }
}
