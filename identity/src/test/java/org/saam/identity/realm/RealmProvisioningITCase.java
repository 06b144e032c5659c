package org.saam.identity.realm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.saam.common.realm.RealmNames;
import org.saam.identity.testing.KeycloakTokens;

/** The realm as code against the local Keycloak. */
class RealmProvisioningITCase {

  @Test
  void provisioningTwiceChangesNothingTheSecondTime() {
    try (Keycloak admin = KeycloakTokens.admin()) {
      new RealmProvisioner(admin, Map.of()).provision(true);

      assertThat(new RealmProvisioner(admin, Map.of()).provision(true)).isEmpty();
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
