package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.saam.common.config.LocalMode;

class UserServiceConfigTest {

  @Test
  void defaultsFitTheLocalStack() {
    UserServiceConfig config = UserServiceConfig.fromEnvironment(local());

    assertThat(config.port()).isEqualTo(8090);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.realmUrl()).isEqualTo("http://127.0.0.1:8180/realms/saam");
    assertThat(config.issuer()).isEqualTo(config.realmUrl());
  }

  @Test
  void behindAnIngressTokensNameThePublicIssuerWhileKeysComeFromTheClusterAddress() {
    UserServiceConfig config =
        UserServiceConfig.fromEnvironment(
            local(
                "SAAM_KEYCLOAK_URL", "http://keycloak:8080",
                "SAAM_KEYCLOAK_ISSUER", "https://id.saam.example.org/realms/saam"));

    assertThat(config.realmUrl()).isEqualTo("http://keycloak:8080/realms/saam");
    assertThat(config.issuer()).isEqualTo("https://id.saam.example.org/realms/saam");
  }

  @Test
  void anIssuerThatIsNoUrlIsRefusedNamingTheVariable() {
    assertThatThrownBy(
            () -> UserServiceConfig.fromEnvironment(local("SAAM_KEYCLOAK_ISSUER", "id.saam\u0000")))
        .hasMessageContaining("SAAM_KEYCLOAK_ISSUER");
    assertThatThrownBy(
            () ->
                UserServiceConfig.fromEnvironment(
                    local("SAAM_KEYCLOAK_ISSUER", "ftp://id/realms/saam")))
        .hasMessage(
            "SAAM_KEYCLOAK_ISSUER must be a http:// URL with a host, was 'ftp://id/realms/saam'");
  }

  @Test
  void namesTheVariableThatIsWrong() {
    assertThatThrownBy(() -> UserServiceConfig.fromEnvironment(local("SAAM_USERS_PORT", "http")))
        .hasMessage("SAAM_USERS_PORT must be a whole number, was 'http'");
    assertThatThrownBy(() -> UserServiceConfig.fromEnvironment(local("SAAM_USERS_PORT", "70000")))
        .hasMessage("SAAM_USERS_PORT must be between 0 and 65535, was 70000");
    assertThatThrownBy(
            () -> UserServiceConfig.fromEnvironment(local("SAAM_PG_URL", "postgres://db/x")))
        .hasMessageContaining("SAAM_PG_URL must start with jdbc:postgresql://");
    assertThatThrownBy(
            () -> UserServiceConfig.fromEnvironment(local("SAAM_REDIS_URI", "localhost")))
        .hasMessageContaining("SAAM_REDIS_URI must be a redis:// URL");
  }

  @Test
  void outsideLocalModeEverySecretMustBeGivenAndIsNamedWhenMissing() {
    assertThatThrownBy(() -> UserServiceConfig.fromEnvironment(Map.of()))
        .hasMessageStartingWith("SAAM_PG_PASSWORD is not set")
        .hasMessageContaining("SAAM_LOCAL_MODE=true");
    assertThatThrownBy(
            () -> UserServiceConfig.fromEnvironment(Map.of("SAAM_PG_PASSWORD", "pg-secret")))
        .hasMessageStartingWith("SAAM_USER_SERVICE_CLIENT_SECRET is not set");
    assertThatThrownBy(
            () ->
                UserServiceConfig.fromEnvironment(
                    Map.of("SAAM_PG_PASSWORD", " ", "SAAM_USER_SERVICE_CLIENT_SECRET", "c")))
        .hasMessageStartingWith("SAAM_PG_PASSWORD is not set");

    UserServiceConfig given =
        UserServiceConfig.fromEnvironment(
            Map.of("SAAM_PG_PASSWORD", "pg-secret", "SAAM_USER_SERVICE_CLIENT_SECRET", "c"));
    assertThat(given.postgresPassword()).isEqualTo("pg-secret");
    assertThat(given.clientSecret()).isEqualTo("c");
  }

  /** Local mode, as ./saam runs the service, with {@code pairs} of variables. */
  private static Map<String, String> local(String... pairs) {
    Map<String, String> variables = new java.util.HashMap<>();
    variables.put(LocalMode.VARIABLE, "true");
    for (int i = 0; i < pairs.length; i += 2) {
      variables.put(pairs[i], pairs[i + 1]);
    }
    return variables;
  }
}
