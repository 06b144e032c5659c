package org.saam.identity.testing;

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
import java.util.stream.Collectors;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.representations.idm.ClientRepresentation;
import org.saam.common.realm.RealmNames;
import org.saam.identity.realm.RealmProvisioner;

/** Real tokens from the local Keycloak, as a client would get them. */
public final class KeycloakTokens {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeycloakTokens() {}

  public static String keycloakUrl() {
    String url = System.getenv("SAAM_IT_KEYCLOAK");
    return url == null ? "http://127.0.0.1:8180" : url;
  }

  public static String elasticsearchUrl() {
    String url = System.getenv("SAAM_IT_ELASTICSEARCH");
    return url == null ? "http://127.0.0.1:9200" : url;
  }

  public static String realmUrl() {
    return RealmNames.realmUrl(keycloakUrl());
  }

  /** An admin client of the master realm (local-stack credentials). */
  public static Keycloak admin() {
    return KeycloakBuilder.builder()
        .serverUrl(keycloakUrl())
        .realm("master")
        .clientId("admin-cli")
        .username("admin")
        .password(System.getenv().getOrDefault("SAAM_KEYCLOAK_ADMIN_PASSWORD", "admin"))
        .build();
  }

  /** A password-grant token response of {@code client} for a user, asking for {@code scope}. */
  public static JsonNode passwordGrant(
      String client, String username, String password, String scope) throws Exception {
    return tokenRequest(
        Map.of(
            "grant_type", "password",
            "client_id", client,
            "username", username,
            "password", password,
            "scope", scope),
        "the password grant for " + username);
  }

  /** A request to the realm's token endpoint; fails naming {@code what} unless it answers 200. */
  private static JsonNode tokenRequest(Map<String, String> form, String what) throws Exception {
    String body =
        form.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(realmUrl() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("Keycloak refused " + what + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /**
   * A public client of the test's own in realm saam with the password grant and the given
   * attributes (short lifespans, say) and default scopes; removed when closed.
   */
  public record TemporaryClient(String clientId, String id) implements AutoCloseable {
    public static TemporaryClient create(Map<String, String> attributes, List<String> scopes) {
      String clientId = "it-client-" + java.util.UUID.randomUUID().toString().substring(0, 8);
      ClientRepresentation client = new ClientRepresentation();
      client.setClientId(clientId);
      client.setPublicClient(true);
      client.setDirectAccessGrantsEnabled(true);
      client.setStandardFlowEnabled(false);
      client.setAttributes(attributes);
      client.setDefaultClientScopes(scopes);
      try (Keycloak admin = admin()) {
        return new TemporaryClient(
            clientId,
            RealmProvisioner.createdId(
                admin.realm(RealmNames.REALM).clients().create(client), clientId));
      }
    }

    /** An access token of a demo account through this client. */
    public String demoToken(String role) throws Exception {
      return passwordGrant(clientId, role + "-demo", role + "-demo-pass", "openid")
          .get("access_token")
          .asText();
    }

    @Override
    public void close() {
      try (Keycloak admin = admin()) {
        admin.realm(RealmNames.REALM).clients().get(id).remove();
      }
    }
  }

  /** The access token of a confidential client's service account (client credentials grant). */
  public static String serviceToken(String client, String secret) throws Exception {
    return tokenRequest(
            Map.of(
                "grant_type", "client_credentials", "client_id", client, "client_secret", secret),
            "the client credentials of " + client)
        .get("access_token")
        .asText();
  }

  /** The access token of a demo account through {@code saam-cli}. */
  public static String demoToken(String role, String scope) throws Exception {
    return passwordGrant(RealmNames.CLI_CLIENT, role + "-demo", role + "-demo-pass", scope)
        .get("access_token")
        .asText();
  }

  /** The claims of a token, without checking it (for tests that look inside). */
  public static JsonNode claims(String token) throws Exception {
    String payload = token.split("\\.")[1];
    return JSON.readTree(java.util.Base64.getUrlDecoder().decode(payload));
  }
}
