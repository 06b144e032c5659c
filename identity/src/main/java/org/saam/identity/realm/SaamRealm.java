package org.saam.identity.realm;

import static org.saam.common.realm.RealmNames.CLI_CLIENT;
import static org.saam.common.realm.RealmNames.PIPELINE_CLIENT;
import static org.saam.common.realm.RealmNames.ROLES;
import static org.saam.common.realm.RealmNames.SENSOR_API;
import static org.saam.common.realm.RealmNames.USER_API;
import static org.saam.common.realm.RealmNames.USER_SERVICE_CLIENT;
import static org.saam.common.realm.RealmNames.VIEWS_CLIENT;

import java.util.List;
import java.util.Map;
import org.saam.common.realm.RealmNames;

/**
 * The Keycloak realm {@code saam} as code (ARCHITECTURE.md, section 6): its roles, client scopes,
 * clients, token lifespans and demo accounts; the names come from {@link RealmNames}. {@link
 * RealmProvisioner} applies it idempotently.
 */
public final class SaamRealm {
  private SaamRealm() {}

  /** Access tokens are short: 5 minutes. */
  public static final int ACCESS_TOKEN_SECONDS = 300;

  /** Refresh tokens slide: each refresh extends the session by this much, up to the maximum. */
  public static final int SESSION_IDLE_SECONDS = 30 * 60;

  public static final int SESSION_MAX_SECONDS = 10 * 60 * 60;

  /** Keycloak event types the issued-token log is built from. */
  public static final List<String> TOKEN_EVENTS =
      List.of("LOGIN", "CODE_TO_TOKEN", "REFRESH_TOKEN", "CLIENT_LOGIN", "TOKEN_EXCHANGE");

  /** Event types the realm records: the token events and the failures worth auditing. */
  public static final List<String> RECORDED_EVENTS =
      List.of(
          "LOGIN",
          "LOGIN_ERROR",
          "CODE_TO_TOKEN",
          "CODE_TO_TOKEN_ERROR",
          "REFRESH_TOKEN",
          "REFRESH_TOKEN_ERROR",
          "CLIENT_LOGIN",
          "CLIENT_LOGIN_ERROR",
          "TOKEN_EXCHANGE",
          "LOGOUT");

  /**
   * A client of the realm.
   *
   * @param clientId the client id
   * @param confidential whether it has a secret
   * @param secretVariable environment variable holding the secret of a confidential client
   * @param pkce public clients with browser sign-in require PKCE (S256)
   * @param passwordGrant direct access grants, for local command-line use only
   * @param deviceFlow OAuth 2.0 device authorization grant
   * @param serviceAccountRoles realm-management roles of its service account, if it has one
   * @param serviceAccountRealmRoles realm roles of its service account
   * @param defaultScopes client scopes every token of it gets
   * @param optionalScopes client scopes it may ask for
   * @param redirectUris where browser sign-in may return
   */
  public record ClientSpec(
      String clientId,
      boolean confidential,
      String secretVariable,
      boolean pkce,
      boolean passwordGrant,
      boolean deviceFlow,
      List<String> serviceAccountRoles,
      List<String> serviceAccountRealmRoles,
      List<String> defaultScopes,
      List<String> optionalScopes,
      List<String> redirectUris) {}

  private static final List<String> BASE_SCOPES =
      List.of("basic", "profile", "email", "roles", "web-origins", "acr");

  private static List<String> with(List<String> base, String... more) {
    List<String> all = new java.util.ArrayList<>(base);
    all.addAll(List.of(more));
    return List.copyOf(all);
  }

  public static final List<ClientSpec> CLIENTS =
      List.of(
          new ClientSpec(
              "saam-app",
              false,
              null,
              true,
              false,
              false,
              List.of(),
              List.of(),
              with(BASE_SCOPES, USER_API),
              List.of(SENSOR_API),
              List.of("saam-app://callback", "http://127.0.0.1/*")),
          new ClientSpec(
              "saam-portal",
              false,
              null,
              true,
              false,
              false,
              List.of(),
              List.of(),
              with(BASE_SCOPES, SENSOR_API),
              List.of(USER_API),
              List.of("http://127.0.0.1:8091/*", "http://localhost:8091/*")),
          new ClientSpec(
              VIEWS_CLIENT,
              true,
              "SAAM_VIEWS_CLIENT_SECRET",
              false,
              false,
              false,
              List.of(),
              List.of(),
              BASE_SCOPES,
              List.of(),
              List.of()),
          new ClientSpec(
              USER_SERVICE_CLIENT,
              true,
              "SAAM_USER_SERVICE_CLIENT_SECRET",
              false,
              false,
              false,
              List.of("manage-users", "view-users", "view-events", "view-realm", "view-clients"),
              List.of(),
              BASE_SCOPES,
              List.of(),
              List.of()),
          new ClientSpec(
              CLI_CLIENT,
              false,
              null,
              false,
              true,
              true,
              List.of(),
              List.of(),
              BASE_SCOPES,
              List.of(USER_API, SENSOR_API),
              List.of()),
          new ClientSpec(
              PIPELINE_CLIENT,
              true,
              "SAAM_PIPELINE_CLIENT_SECRET",
              false,
              false,
              false,
              List.of(),
              List.of(RealmNames.ASSIGNMENT_READER),
              with(BASE_SCOPES, USER_API),
              List.of(),
              List.of()));

  /**
   * The clients that may ask for {@code scope} (as a default or an optional scope): whose tokens
   * the service behind that scope takes ({@code azp} allow-list of its token checks).
   */
  public static java.util.Set<String> clientsWithScope(String scope) {
    return CLIENTS.stream()
        .filter(c -> c.defaultScopes().contains(scope) || c.optionalScopes().contains(scope))
        .map(ClientSpec::clientId)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** Client-scope name to the client whose id the scope adds to the token audience. */
  public static final Map<String, String> SCOPE_AUDIENCES =
      Map.of(USER_API, USER_SERVICE_CLIENT, SENSOR_API, VIEWS_CLIENT);

  /**
   * A demo account of the local stack.
   *
   * @param username its user name
   * @param role its realm role
   * @param password its password (local stack only; printed by the demo)
   */
  public record DemoAccount(String username, String role, String password) {}

  /** One demo account per role. Their passwords are for the local stack only. */
  public static final List<DemoAccount> DEMO_ACCOUNTS =
      ROLES.stream()
          .map(role -> new DemoAccount(role + "-demo", role, role + "-demo-pass"))
          .toList();

  /** The local stack's well-known secret of a client ({@link RealmNames#localSecret}). */
  public static String localSecret(String clientId) {
    return RealmNames.localSecret(clientId);
  }
}
