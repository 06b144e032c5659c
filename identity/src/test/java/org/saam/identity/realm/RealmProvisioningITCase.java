package org.saam.identity.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.saam.common.config.LocalMode;
import org.saam.common.realm.RealmNames;
import org.saam.identity.testing.KeycloakTokens;

/** The realm as code against the local Keycloak. */
class RealmProvisioningITCase {
  private static final Map<String, String> LOCAL = Map.of(LocalMode.VARIABLE, "true");

  @Test
  void provisioningTwiceChangesNothingTheSecondTime() {
    try (Keycloak admin = KeycloakTokens.admin()) {
      new RealmProvisioner(admin, LOCAL).provision(true);

      assertThat(new RealmProvisioner(admin, LOCAL).provision(true)).isEmpty();
    }
  }

  @Test
  void outsideLocalModeTheDemoAccountsAndTheCliPasswordGrantAreGone() throws Exception {
    // The local stack's secrets, given explicitly as a deployment gives its own: the services of
    // the shared stack keep working while the realm is provisioned outside local mode.
    Map<String, String> deployment = new HashMap<>();
    for (SaamRealm.ClientSpec client : SaamRealm.CLIENTS) {
      if (client.confidential()) {
        deployment.put(client.secretVariable(), SaamRealm.localSecret(client.clientId()));
      }
    }
    try (Keycloak admin = KeycloakTokens.admin()) {
      try {
        List<String> changes = new RealmProvisioner(admin, deployment).provision(false);

        assertThat(changes).contains("demo account admin-demo removed (local mode is off)");
        assertThat(
                admin
                    .realm(RealmNames.REALM)
                    .clients()
                    .findByClientId(RealmNames.CLI_CLIENT)
                    .get(0)
                    .isDirectAccessGrantsEnabled())
            .isFalse();
        assertThatThrownBy(() -> KeycloakTokens.demoToken("admin", "openid userapi"))
            .hasMessageContaining("refused the password grant");
        assertThatThrownBy(() -> new RealmProvisioner(admin, deployment).provision(true))
            .hasMessageContaining("the demo accounts exist only in local mode");
      } finally {
        new RealmProvisioner(admin, LOCAL).provision(true);
      }
      assertThat(KeycloakTokens.demoToken("admin", "openid userapi")).isNotBlank();
    }
  }

  @Test
  void userApiTokenIsMeantForTheUserServiceAndCarriesTheRole() throws Exception {
    JsonNode claims = KeycloakTokens.claims(KeycloakTokens.demoToken("admin", "openid userapi"));

    assertThat(claims.get("aud").toString()).contains(RealmNames.USER_SERVICE_CLIENT);
    assertThat(claims.get("aud").toString()).doesNotContain(RealmNames.VIEWS_CLIENT);
    assertThat(claims.get("scope").asText()).contains("userapi");
    assertThat(claims.get("realm_access").get("roles").toString()).contains("\"admin\"");
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong())
        .isEqualTo(SaamRealm.ACCESS_TOKEN_SECONDS);
  }

  @Test
  void everyRoleHasADemoAccountThatCanSignIn() throws Exception {
    for (String role : RealmNames.ROLES) {
      JsonNode claims = KeycloakTokens.claims(KeycloakTokens.demoToken(role, "openid sensorapi"));

      assertThat(claims.get("realm_access").get("roles").toString()).contains("\"" + role + "\"");
      assertThat(claims.get("aud").toString()).contains(RealmNames.VIEWS_CLIENT);
    }
  }
}
