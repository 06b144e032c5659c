package org.saam.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalModeTest {

  @Test
  void onlyTrueOrOneTurnsItOn() {
    assertThat(LocalMode.on(Map.of("SAAM_LOCAL_MODE", "true"))).isTrue();
    assertThat(LocalMode.on(Map.of("SAAM_LOCAL_MODE", " TRUE "))).isTrue();
    assertThat(LocalMode.on(Map.of("SAAM_LOCAL_MODE", "1"))).isTrue();
    assertThat(LocalMode.on(Map.of("SAAM_LOCAL_MODE", "yes"))).isFalse();
    assertThat(LocalMode.on(Map.of("SAAM_LOCAL_MODE", "false"))).isFalse();
    assertThat(LocalMode.on(Map.of())).isFalse();
  }

  @Test
  void aGivenSecretAlwaysWins() {
    assertThat(LocalMode.secret(Map.of("S", " s3cret "), "S", "local")).isEqualTo("s3cret");
    assertThat(LocalMode.secret(Map.of("S", "s3cret", "SAAM_LOCAL_MODE", "true"), "S", "local"))
        .isEqualTo("s3cret");
  }

  @Test
  void theLocalValueOnlyInLocalMode() {
    assertThat(LocalMode.secret(Map.of("SAAM_LOCAL_MODE", "true"), "S", "local"))
        .isEqualTo("local");
    assertThatThrownBy(() -> LocalMode.secret(Map.of(), "S", "local"))
        .isInstanceOf(Environment.InvalidConfigException.class)
        .hasMessageStartingWith("S is not set.");
    assertThatThrownBy(() -> new Environment(Map.of("S", "")).secret("S", "local"))
        .hasMessageStartingWith("S is not set.")
        .hasMessageContaining("SAAM_LOCAL_MODE=true");
  }
}
