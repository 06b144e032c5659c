package org.saam.identity.realm;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.saam.common.config.Environment;
import org.saam.common.config.LocalMode;

/** The provisioner settles every client secret before it contacts Keycloak (none runs here). */
class RealmProvisionerSecretsTest {

  @Test
  void outsideLocalModeAMissingClientSecretIsRefusedNamingItsVariable() {
    assertThatThrownBy(() -> new RealmProvisioner(null, Map.of()))
        .isInstanceOf(Environment.InvalidConfigException.class)
        .hasMessageContaining("_CLIENT_SECRET is not set")
        .hasMessageContaining("SAAM_LOCAL_MODE=true");

    Map<String, String> allButOne = everySecret();
    allButOne.remove("SAAM_PIPELINE_CLIENT_SECRET");
    assertThatThrownBy(() -> new RealmProvisioner(null, allButOne))
        .hasMessageStartingWith("SAAM_PIPELINE_CLIENT_SECRET is not set");

    Map<String, String> blank = everySecret();
    blank.put("SAAM_VIEWS_CLIENT_SECRET", "  ");
    assertThatThrownBy(() -> new RealmProvisioner(null, blank))
        .hasMessageStartingWith("SAAM_VIEWS_CLIENT_SECRET is not set");
  }

  @Test
  void everySecretGivenOrLocalModeOnIsEnough() {
    assertThatCode(() -> new RealmProvisioner(null, everySecret())).doesNotThrowAnyException();
    assertThatCode(() -> new RealmProvisioner(null, Map.of(LocalMode.VARIABLE, "true")))
        .doesNotThrowAnyException();
  }

  private static Map<String, String> everySecret() {
    Map<String, String> secrets = new HashMap<>();
    for (SaamRealm.ClientSpec client : SaamRealm.CLIENTS) {
      if (client.confidential()) {
        secrets.put(client.secretVariable(), "secret-of-" + client.clientId());
      }
    }
    return secrets;
  }
}
