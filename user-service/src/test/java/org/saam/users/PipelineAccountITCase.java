package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.saam.common.realm.RealmNames;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.users.testing.RunningUserService;

/**
 * The pipeline's service account (client saam-pipeline, as the Flink job signs in) may read a
 * location's assignments and nothing else: a leaked job secret must not let anyone create homes,
 * move people or read profiles.
 */
class PipelineAccountITCase {
  private static RunningUserService service;
  private static String admin;
  private static String pipeline;
  private static String location;
  private static String person;

  @BeforeAll
  static void start() throws Exception {
    service = RunningUserService.start();
    admin = KeycloakTokens.demoToken("admin", "openid userapi");
    pipeline =
        KeycloakTokens.serviceToken(
            RealmNames.PIPELINE_CLIENT, RealmNames.localSecret(RealmNames.PIPELINE_CLIENT));
    person =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Paula Pipe", "time_zone", "Europe/Madrid"))
            .json()
            .get("id")
            .asText();
    location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    service.json("POST", "/v1/locations", admin, Map.of("location_id", location));
    service.json(
        "POST",
        "/v1/locations/" + location + "/assignments",
        admin,
        Map.of("user_id", person, "valid_from", "2026-11-01T00:00:00Z"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void theTokenCarriesTheAssignmentReaderRoleAndNoPersonsRole() throws Exception {
    JsonNode roles = KeycloakTokens.claims(pipeline).path("realm_access").path("roles");
    assertThat(roles.toString()).contains(RealmNames.ASSIGNMENT_READER);
    for (String role : RealmNames.ROLES) {
      assertThat(roles.toString()).doesNotContain("\"" + role + "\"");
    }
  }

  @Test
  void readsTheAssignmentsOfALocation() throws Exception {
    RunningUserService.Reply reply =
        service.get("/v1/locations/" + location + "/assignments", pipeline);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.body()).contains(person);
  }

  @Test
  void readsTheListOfErasuresWhichCaregiversCannot() throws Exception {
    RunningUserService.Reply reply = service.get("/v1/erasures", pipeline);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().isArray()).isTrue();
    assertThat(service.get("/v1/erasures", null).status()).isEqualTo(401);
  }

  @Test
  void cannotWriteAnythingNorReadPeople() throws Exception {
    assertThat(
            service
                .json("POST", "/v1/locations", pipeline, Map.of("location_id", location + "-x"))
                .status())
        .isEqualTo(403);
    assertThat(
            service
                .json(
                    "POST",
                    "/v1/locations/" + location + "/assignments",
                    pipeline,
                    Map.of("user_id", person, "valid_from", "2026-12-01T00:00:00Z"))
                .status())
        .isEqualTo(403);
    assertThat(
            service
                .json(
                    "POST",
                    "/v1/users",
                    pipeline,
                    Map.of("display_name", "Mallory", "time_zone", "Europe/Madrid"))
                .status())
        .isEqualTo(403);
    assertThat(service.get("/v1/users/" + person, pipeline).status()).isEqualTo(403);
    assertThat(
            service
                .send("DELETE", "/v1/users/" + person + "?erase=true", pipeline, null, null)
                .status())
        .isEqualTo(403);
    // Still there: none of the refused calls changed anything.
    assertThat(service.get("/v1/users/" + person, admin).status()).isEqualTo(200);
  }
}
