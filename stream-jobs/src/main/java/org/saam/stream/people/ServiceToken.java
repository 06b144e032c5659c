package org.saam.stream.people;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The job's own access token (client credentials of {@code saam-pipeline}), fetched when needed and
 * reused until 30 seconds before it expires.
 */
final class ServiceToken {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI tokenEndpoint;
  private final String form;
  private String token;
  private long validUntilMillis;

  ServiceToken(HttpClient http, String realmUrl, String clientId, String clientSecret) {
    this.http = http;
    this.tokenEndpoint = URI.create(realmUrl + "/protocol/openid-connect/token");
    this.form =
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
  }

  synchronized CompletableFuture<String> get() {
    if (token != null && System.currentTimeMillis() < validUntilMillis) {
      return CompletableFuture.completedFuture(token);
    }
    HttpRequest request =
        HttpRequest.newBuilder(tokenEndpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(
            response -> {
              if (response.statusCode() != 200) {
                throw new IllegalStateException(
                    "Keycloak refused the pipeline's client credentials (HTTP "
                        + response.statusCode()
                        + "): "
                        + response.body());
              }
              try {
                JsonNode body = JSON.readTree(response.body());
                synchronized (this) {
                  token = body.get("access_token").asText();
                  validUntilMillis =
                      System.currentTimeMillis() + (body.get("expires_in").asLong() - 30) * 1000;
                  return token;
                }
              } catch (IOException e) {
                throw new IllegalStateException("Keycloak's token answer is not JSON", e);
              }
            });
  }

  synchronized void invalidate() {
    token = null;
  }
}
