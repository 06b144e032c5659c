package org.saam.identity.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RealmRepresentation;
import org.saam.common.realm.RealmNames;
import org.saam.identity.testing.KeycloakTokens;

/**
 * Sessions against the real Keycloak: the realm is configured as the seed describes (sliding 30
 * minutes up to 10 hours), and how sliding refresh behaves is shown in seconds through a client of
 * the test's own with the same rules scaled down (idle 4 s, at most 9 s).
 */
class SessionLifespanITCase {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IDLE_SECONDS = 4;
  private static final int MAX_SECONDS = 9;

  @Test
  void theRealmSlidesSessionsForThirtyMinutesUpToTenHours() {
    try (Keycloak admin = KeycloakTokens.admin()) {
      RealmRepresentation realm = admin.realm(RealmNames.REALM).toRepresentation();
      assertThat(realm.getSsoSessionIdleTimeout()).isEqualTo(30 * 60);
      assertThat(realm.getSsoSessionMaxLifespan()).isEqualTo(10 * 60 * 60);
      assertThat(realm.getAccessTokenLifespan()).isEqualTo(5 * 60);
    }
  }

  @Test
  void aRefreshWithinTheIdleTimeExtendsTheSessionUntilItsMaximumAndNotBeyond() throws Exception {
    try (KeycloakTokens.TemporaryClient client =
        KeycloakTokens.TemporaryClient.create(
            Map.of(
                "client.session.idle.timeout", String.valueOf(IDLE_SECONDS),
                "client.session.max.lifespan", String.valueOf(MAX_SECONDS),
                "access.token.lifespan", "2"),
            List.of("basic", "profile", "roles"))) {
      String clientId = client.clientId();
      // Sliding: three refreshes 2.5 s apart keep the session past its 4 s idle time.
      JsonNode tokens = login(clientId);
      long started = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        Thread.sleep(2_500);
        HttpResponse<String> refreshed = refresh(clientId, tokens);
        assertThat(refreshed.statusCode())
            .as("refresh %d within the idle time: %s", i + 1, refreshed.body())
            .isEqualTo(200);
        tokens = JSON.readTree(refreshed.body());
      }
      assertThat(seconds(started)).isGreaterThan(IDLE_SECONDS);

      // ... but not past its maximum (9 s after the login), however often it is refreshed.
      while (seconds(started) < MAX_SECONDS + 1) {
        Thread.sleep(500);
      }
      HttpResponse<String> tooLate = refresh(clientId, tokens);
      assertThat(tooLate.statusCode()).as(tooLate.body()).isEqualTo(400);
      assertThat(tooLate.body()).contains("invalid_grant");

      // Idle: a session left alone for longer than its idle time cannot be refreshed.
      JsonNode idle = login(clientId);
      Thread.sleep((IDLE_SECONDS + 2) * 1_000L);
      HttpResponse<String> afterIdle = refresh(clientId, idle);
      assertThat(afterIdle.statusCode()).as(afterIdle.body()).isEqualTo(400);
      assertThat(afterIdle.body()).contains("invalid_grant");
    }
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }

  private static JsonNode login(String clientId) throws Exception {
    return KeycloakTokens.passwordGrant(
        clientId, "participant-demo", "participant-demo-pass", "openid");
  }

  private static HttpResponse<String> refresh(String clientId, JsonNode tokens) throws Exception {
    String body =
        "grant_type=refresh_token&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&refresh_token="
            + URLEncoder.encode(tokens.get("refresh_token").asText(), StandardCharsets.UTF_8);
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(KeycloakTokens.realmUrl() + "/protocol/openid-connect/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
