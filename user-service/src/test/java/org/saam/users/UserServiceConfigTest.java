package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UserServiceConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    UserServiceConfig config = UserServiceConfig.fromEnvironment(Map.of());

    assertThat(config.port()).isEqualTo(8090);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.realmUrl()).isEqualTo("http://127.0.0.1:8180/realms/saam");
  }

  @Test
  void namesTheVariableThatIsWrong() {
    assertThatThrownBy(() -> UserServiceConfig.fromEnvironment(Map.of("SAAM_USERS_PORT", "http")))
        .hasMessage("SAAM_USERS_PORT must be a whole number, was 'http'");
    assertThatThrownBy(() -> UserServiceConfig.fromEnvironment(Map.of("SAAM_USERS_PORT", "70000")))
        .hasMessage("SAAM_USERS_PORT must be between 0 and 65535, was 70000");
    assertThatThrownBy(
            () -> UserServiceConfig.fromEnvironment(Map.of("SAAM_PG_URL", "postgres://db/x")))
        .hasMessageContaining("SAAM_PG_URL must start with jdbc:postgresql://");
    assertThatThrownBy(
            () -> UserServiceConfig.fromEnvironment(Map.of("SAAM_REDIS_URI", "localhost")))
        .hasMessageContaining("SAAM_REDIS_URI must be a redis:// URL");
    assertThatThrownBy(() -> UserServiceConfig.fromEnvironment(Map.of("SAAM_PG_PASSWORD", " ")))
        .hasMessage("SAAM_PG_PASSWORD must not be empty");
  }
}
