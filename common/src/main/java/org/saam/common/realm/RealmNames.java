package org.saam.common.realm;

import java.util.List;

/**
 * The well-known names of the Keycloak realm (ARCHITECTURE.md, section 6) that services and jobs
 * need without the realm-as-code machinery of {@code identity}: the realm, its roles, client ids,
 * client scopes, and its URL. {@code identity}'s {@code SaamRealm} builds the realm from these.
 */
public final class RealmNames {
  private RealmNames() {}

  public static final String REALM = "saam";

  /** Realm roles. */
  public static final List<String> ROLES =
      List.of("participant", "caregiver", "data-scientist", "operator", "admin");

  /**
   * Realm role of the pipeline's service account: reads the assignments of a location and nothing
   * else. Not a person's role (no demo account has it).
   */
  public static final String ASSIGNMENT_READER = "assignment-reader";

  /** Claim (and account attribute) with the person's user-service id. */
  public static final String USER_ID_CLAIM = "saam_user_id";

  /**
   * Claim (and account attribute) with the user-service ids of the people a caregiver cares for;
   * the user service keeps the attribute from its care relations.
   */
  public static final String CARES_FOR_CLAIM = "saam_cares_for";

  /** Realm roles held by service accounts only. */
  public static final List<String> SERVICE_ROLES = List.of(ASSIGNMENT_READER);

  /** Client scope that grants use of the user service; adds it to the token's audience. */
  public static final String USER_API = "userapi";

  /** Client scope that grants use of the feature views; adds them to the token's audience. */
  public static final String SENSOR_API = "sensorapi";

  /** Client id of the user service, the audience of {@value #USER_API} tokens. */
  public static final String USER_SERVICE_CLIENT = "saam-user-service";

  /** Client id of the feature views, the audience of {@value #SENSOR_API} tokens. */
  public static final String VIEWS_CLIENT = "saam-views";

  /** Confidential client of the Flink jobs: reads assignments from the user service. */
  public static final String PIPELINE_CLIENT = "saam-pipeline";

  /** Public client of operators and data scientists (password grant for local use, device flow). */
  public static final String CLI_CLIENT = "saam-cli";

  /**
   * The realm's URL (its token issuer) on the Keycloak server at {@code keycloakUrl}, for example
   * {@code http://127.0.0.1:8180/realms/saam}; trailing slashes of the server URL are ignored.
   */
  public static String realmUrl(String keycloakUrl) {
    return keycloakUrl.replaceAll("/+$", "") + "/realms/" + REALM;
  }

  /** The realm's OpenID Connect token endpoint on the Keycloak server at {@code keycloakUrl}. */
  public static String tokenEndpoint(String keycloakUrl) {
    return realmUrl(keycloakUrl) + "/protocol/openid-connect/token";
  }

  /**
   * The well-known secret of a confidential client on the local stack. Used only in local mode
   * ({@link org.saam.common.config.LocalMode}); anywhere else the secret must be given.
   */
  public static String localSecret(String clientId) {
    return clientId + "-local-secret";
  }
}
