package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.saam.common.realm.RealmNames;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.users.testing.RunningUserService;
import org.saam.users.testing.RunningUserService.Reply;

/**
 * The care relation: administrators link a caregiver to a person; the caregiver then sees that
 * person (profile, home) and nobody else, and their tokens name the people they care for.
 */
class CareRelationITCase {
  private static RunningUserService service;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    service = RunningUserService.start();
    admin = KeycloakTokens.demoToken("admin", "openid userapi");
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private static String person(String name, String role, String email) throws Exception {
    Map<String, Object> body =
        email == null
            ? Map.of("display_name", name, "time_zone", "Europe/Vienna", "role", role)
            : Map.of(
                "display_name", name, "time_zone", "Europe/Vienna", "role", role, "email", email);
    Reply created = service.json("POST", "/v1/users", admin, body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().get("id").asText();
  }

  private static String home(String person) throws Exception {
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    service.json("POST", "/v1/locations", admin, Map.of("location_id", location));
    service.json(
        "POST",
        "/v1/locations/" + location + "/assignments",
        admin,
        Map.of("user_id", person, "valid_from", "2026-11-01T00:00:00Z"));
    return location;
  }

  /** A fresh token of the caregiver (claims as they are now). */
  private static String tokenOf(String email) throws Exception {
    return KeycloakTokens.passwordGrant(
            RealmNames.CLI_CLIENT, email, "it-carer-pass", "openid userapi sensorapi")
        .get("access_token")
        .asText();
  }

  @Test
  void aCaregiverSeesOnlyThePeopleAnAdministratorLinkedThemTo() throws Exception {
    String email = "it-carer-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    String carer = person("Cara Carer", "caregiver", email);
    String ana = person("Ana Cared", "participant", null);
    String bor = person("Bor Other", "participant", null);
    String anaHome = home(ana);
    String borHome = home(bor);
    try (Keycloak keycloak = KeycloakTokens.admin()) {
      var users = keycloak.realm(RealmNames.REALM).users();
      CredentialRepresentation password = new CredentialRepresentation();
      password.setType(CredentialRepresentation.PASSWORD);
      password.setValue("it-carer-pass");
      password.setTemporary(false);
      users.get(users.searchByEmail(email, true).get(0).getId()).resetPassword(password);
    }

    String before = tokenOf(email);
    assertThat(service.get("/v1/users/" + ana, before).status()).isEqualTo(403);
    Reply noHome = service.get("/v1/locations/" + anaHome + "/assignments", before);
    assertThat(noHome.status()).as("any home's resident, before").isEqualTo(403);
    assertThat(noHome.json().get("detail").asText()).contains("people they care for");

    String link = "/v1/users/" + ana + "/caregivers/" + carer;
    assertThat(service.send("PUT", link, admin, null, null).status()).isEqualTo(201);
    assertThat(service.send("PUT", link, admin, null, null).status()).as("again").isEqualTo(200);
    assertThat(service.send("PUT", link, before, null, null).status())
        .as("a caregiver cannot link themselves")
        .isEqualTo(403);
    Reply notACarer =
        service.send("PUT", "/v1/users/" + ana + "/caregivers/" + bor, admin, null, null);
    assertThat(notACarer.status()).isEqualTo(409);
    assertThat(notACarer.json().get("detail").asText()).contains("caregiver role");
    assertThat(
            service
                .send("PUT", "/v1/users/" + ana + "/caregivers/" + ana, admin, null, null)
                .status())
        .isEqualTo(400);

    String after = tokenOf(email);
    assertThat(KeycloakTokens.claims(after).get("saam_cares_for").toString()).contains(ana);
    Reply profile = service.get("/v1/users/" + ana, after);
    assertThat(profile.status()).as(profile.body()).isEqualTo(200);
    assertThat(service.get("/v1/users/" + bor, after).status()).isEqualTo(403);
    Reply anas = service.get("/v1/locations/" + anaHome + "/assignments", after);
    assertThat(anas.status()).as(anas.body()).isEqualTo(200);
    assertThat(anas.body()).contains(ana);
    assertThat(service.get("/v1/locations/" + borHome + "/assignments", after).status())
        .isEqualTo(403);
    assertThat(service.json("PATCH", "/v1/users/" + ana, after, Map.of("locale", "de")).status())
        .as("caring is reading, not changing")
        .isEqualTo(403);
    JsonNode caregivers = service.get("/v1/users/" + ana + "/caregivers", admin).json();
    assertThat(caregivers.get("caregivers")).extracting(JsonNode::asText).containsExactly(carer);
    JsonNode caredFor = service.get("/v1/users/" + carer + "/cared-for", after).json();
    assertThat(caredFor.get("cared_for")).extracting(JsonNode::asText).containsExactly(ana);
    assertThat(service.get("/v1/users/" + ana + "/cared-for", after).status()).isEqualTo(403);

    // Unlinked: refused at once (the table decides), and later tokens no longer name Ana.
    assertThat(service.send("DELETE", link, admin, null, null).status()).isEqualTo(204);
    assertThat(service.send("DELETE", link, admin, null, null).status()).isEqualTo(404);
    assertThat(service.get("/v1/users/" + ana, after).status()).isEqualTo(403);
    assertThat(KeycloakTokens.claims(tokenOf(email)).has("saam_cares_for")).isFalse();

    // Erasing a person removes their relations, and the caregiver's claim with them.
    service.send("PUT", link, admin, null, null);
    Reply erased = service.send("DELETE", "/v1/users/" + ana + "?erase=true", admin, null, null);
    assertThat(erased.status()).as(erased.body()).isEqualTo(200);
    assertThat(erased.json().at("/removed/care_relations").asInt()).isEqualTo(1);
    assertThat(KeycloakTokens.claims(tokenOf(email)).has("saam_cares_for")).isFalse();
    assertThat(service.get("/v1/users/" + carer + "/cared-for", admin).json().get("cared_for"))
        .isEmpty();
    List.of(carer, bor)
        .forEach(
            id -> {
              try {
                service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }
}
