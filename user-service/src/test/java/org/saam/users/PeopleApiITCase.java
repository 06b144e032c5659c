package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.servicekit.audit.AuditLog;
import org.saam.users.cache.PeopleCache;
import org.saam.users.testing.RunningUserService;
import org.saam.users.testing.RunningUserService.Reply;

/** The user service against real PostgreSQL, Redis, Keycloak and Elasticsearch. */
class PeopleApiITCase {
  private static RunningUserService service;
  private static String admin;

  @BeforeAll
  static void startService() throws Exception {
    service = RunningUserService.start();
    admin = KeycloakTokens.demoToken("admin", "openid userapi");
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  private static String uniqueEmail() {
    return "it-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
  }

  private static JsonNode createPerson(String email) throws Exception {
    Reply created =
        service.json(
            "POST",
            "/v1/users",
            admin,
            Map.of(
                "display_name",
                "Ana Novak",
                "birth_year",
                1948,
                "time_zone",
                "Europe/Ljubljana",
                "locale",
                "sl-SI",
                "email",
                email));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json();
  }

  private static String locationWith() throws Exception {
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(
            service.json("POST", "/v1/locations", admin, Map.of("location_id", location)).status())
        .isEqualTo(201);
    return location;
  }

  @Test
  void createsThePersonAndTheirSignInAccount() throws Exception {
    JsonNode person = createPerson(uniqueEmail());

    try (Keycloak keycloak = KeycloakTokens.admin()) {
      var account =
          keycloak.realm(RealmNames.REALM).users().get(person.get("keycloak_id").asText());
      assertThat(account.toRepresentation().isEnabled()).isTrue();
      assertThat(account.roles().realmLevel().listAll())
          .extracting(r -> r.getName())
          .contains("participant");
    }
    Reply disabled =
        service.json(
            "PATCH", "/v1/users/" + person.get("id").asText(), admin, Map.of("enabled", false));
    assertThat(disabled.status()).isEqualTo(200);
    try (Keycloak keycloak = KeycloakTokens.admin()) {
      assertThat(
              keycloak
                  .realm(RealmNames.REALM)
                  .users()
                  .get(person.get("keycloak_id").asText())
                  .toRepresentation()
                  .isEnabled())
          .isFalse();
    }
  }

  @Test
  void answersBadInputWithProblemJsonNamingTheField() throws Exception {
    Reply missing = service.json("POST", "/v1/users", admin, Map.of("locale", "sl-SI"));
    Reply badZone =
        service.json(
            "POST",
            "/v1/users",
            admin,
            Map.of("display_name", "B", "time_zone", "Europe/Atlantis"));
    Reply malformed = service.json("POST", "/v1/users", admin, "{\"display_name\": ");
    Reply unknownField =
        service.json(
            "POST",
            "/v1/users",
            admin,
            Map.of("display_name", "C", "time_zone", "Europe/Rome", "shoe_size", 42));

    for (Reply reply : List.of(missing, badZone, malformed, unknownField)) {
      assertThat(reply.status()).as(reply.body()).isEqualTo(400);
      assertThat(reply.contentType()).startsWith("application/problem+json");
      assertThat(reply.json().get("status").asInt()).isEqualTo(400);
    }
    assertThat(missing.json().get("detail").asText())
        .contains("display_name is required", "time_zone is required");
    assertThat(badZone.json().get("detail").asText()).contains("Europe/Atlantis");
    assertThat(malformed.json().get("detail").asText()).contains("not valid JSON");
    assertThat(unknownField.json().get("detail").asText()).contains("shoe_size");
  }

  @Test
  void photoUploadChecksTypeAndSize() throws Exception {
    String id = createPerson(uniqueEmail()).get("id").asText();
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0};

    Reply stored = service.send("PUT", "/v1/users/" + id + "/photo", admin, "image/png", png);
    Reply gif =
        service.send(
            "PUT", "/v1/users/" + id + "/photo", admin, "image/gif", new byte[] {'G', 'I', 'F'});
    Reply liar = service.send("PUT", "/v1/users/" + id + "/photo", admin, "image/jpeg", png);
    Reply oversize =
        service.send(
            "PUT", "/v1/users/" + id + "/photo", admin, "image/png", new byte[3 * 1024 * 1024]);

    assertThat(stored.status()).isEqualTo(204);
    assertThat(gif.status()).isEqualTo(415);
    assertThat(liar.status()).isEqualTo(415);
    assertThat(oversize.status()).isEqualTo(413);
    assertThat(oversize.contentType()).startsWith("application/problem+json");
    Reply photo = service.get("/v1/users/" + id + "/photo", admin);
    assertThat(photo.status()).isEqualTo(200);
    assertThat(photo.contentType()).isEqualTo("image/png");
    assertThat(service.get("/v1/users/" + id, admin).json().get("has_photo").asBoolean()).isTrue();
  }

  @Test
  void bodiesWithoutALengthAreBoundedToo() throws Exception {
    String id = createPerson(uniqueEmail()).get("id").asText();
    byte[] png = new byte[3 * 1024 * 1024];
    System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, 0, png, 0, 8);
    byte[] hugeJson =
        ("{\"display_name\":\"" + "a".repeat(1024 * 1024) + "\",\"time_zone\":\"Europe/Rome\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    Reply photo = service.sendChunked("PUT", "/v1/users/" + id + "/photo", admin, "image/png", png);
    Reply profile = service.sendChunked("POST", "/v1/users", admin, "application/json", hugeJson);

    for (Reply reply : List.of(photo, profile)) {
      assertThat(reply.status()).as(reply.body()).isEqualTo(413);
      assertThat(reply.contentType()).startsWith("application/problem+json");
      assertThat(reply.json().get("detail").asText()).contains("the limit is");
    }
    assertThat(service.get("/v1/users/" + id, admin).json().get("has_photo").asBoolean()).isFalse();
  }

  @Test
  void secondReadComesFromRedisAndAnUpdateIsSeenBySubscribersAndTheNextRead() throws Exception {
    JsonNode person = createPerson(uniqueEmail());
    String id = person.get("id").asText();
    String location = locationWith();
    assertThat(
            service
                .json(
                    "POST",
                    "/v1/locations/" + location + "/assignments",
                    admin,
                    Map.of("user_id", id, "valid_from", "2026-01-01T00:00:00Z"))
                .status())
        .isEqualTo(201);

    Reply first = service.get("/v1/users/" + id, admin);
    Reply second = service.get("/v1/users/" + id, admin);
    assertThat(first.headers().firstValue("X-Cache")).hasValue("miss");
    assertThat(second.headers().firstValue("X-Cache")).hasValue("hit");
    assertThat(second.json()).isEqualTo(first.json());
    assertThat(service.get("/v1/locations/" + location + "/assignments", admin).status())
        .isEqualTo(200);

    RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
    BlockingQueue<String> announced = new LinkedBlockingQueue<>();
    try (StatefulRedisPubSubConnection<String, String> subscriber = redis.connectPubSub()) {
      subscriber.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              announced.add(message);
            }
          });
      subscriber.sync().subscribe(PeopleCache.CHANNEL);
      assertThat(redis.connect().sync().exists(PeopleCache.locationKey(location))).isEqualTo(1);

      Reply moved =
          service.json("PATCH", "/v1/users/" + id, admin, Map.of("time_zone", "Europe/Sofia"));

      assertThat(moved.status()).isEqualTo(200);
      assertThat(announced.poll(5, TimeUnit.SECONDS)).isEqualTo(location);
    } finally {
      redis.shutdown();
    }
    Reply after = service.get("/v1/users/" + id, admin);
    assertThat(after.headers().firstValue("X-Cache")).hasValue("miss");
    assertThat(after.json().get("time_zone").asText()).isEqualTo("Europe/Sofia");
    assertThat(
            service
                .get("/v1/locations/" + location + "/assignments", admin)
                .json()
                .get(0)
                .get("time_zone")
                .asText())
        .isEqualTo("Europe/Sofia");
  }

  @Test
  void overlappingAssignmentIsRefusedWith409NamingTheOtherOne() throws Exception {
    String ana = createPerson(uniqueEmail()).get("id").asText();
    String bor = createPerson(uniqueEmail()).get("id").asText();
    String location = locationWith();
    Reply first =
        service.json(
            "POST",
            "/v1/locations/" + location + "/assignments",
            admin,
            Map.of(
                "user_id",
                ana,
                "valid_from",
                "2026-01-01T00:00:00Z",
                "valid_to",
                "2026-06-01T00:00:00Z"));
    Reply overlapping =
        service.json(
            "POST",
            "/v1/locations/" + location + "/assignments",
            admin,
            Map.of("user_id", bor, "valid_from", "2026-05-01T00:00:00Z"));
    Reply after =
        service.json(
            "POST",
            "/v1/locations/" + location + "/assignments",
            admin,
            Map.of("user_id", bor, "valid_from", "2026-06-01T00:00:00Z"));

    assertThat(first.status()).isEqualTo(201);
    assertThat(overlapping.status()).isEqualTo(409);
    assertThat(overlapping.contentType()).startsWith("application/problem+json");
    assertThat(overlapping.json().get("conflicting_assignment").get("assignment_id").asText())
        .isEqualTo(first.json().get("assignment_id").asText());
    assertThat(after.status()).as("back-to-back periods do not overlap").isEqualTo(201);
    JsonNode may =
        service
            .get("/v1/locations/" + location + "/assignments?at=2026-05-31T23:59:59Z", admin)
            .json();
    JsonNode june =
        service
            .get("/v1/locations/" + location + "/assignments?at=2026-06-01T00:00:00Z", admin)
            .json();
    assertThat(may).hasSize(1);
    assertThat(may.get(0).get("user_id").asText()).isEqualTo(ana);
    assertThat(june.get(0).get("user_id").asText()).isEqualTo(bor);
  }

  @Test
  void tokensWithoutScopeAreForbiddenAndBadTokensUnauthorized() throws Exception {
    String noUserApi = KeycloakTokens.demoToken("admin", "openid");
    String[] parts = admin.split("\\.");
    String tampered =
        parts[0] + "." + parts[1].substring(0, parts[1].length() - 4) + "AAAA." + parts[2];
    String unsigned = parts[0].replace(parts[0], "eyJhbGciOiJub25lIn0") + "." + parts[1] + ".";

    assertThat(service.get("/v1/users/" + UUID.randomUUID(), null).status()).isEqualTo(401);
    assertThat(service.get("/v1/users/" + UUID.randomUUID(), noUserApi).status()).isEqualTo(403);
    assertThat(service.get("/v1/users/" + UUID.randomUUID(), tampered).status()).isEqualTo(401);
    Reply none = service.get("/v1/users/" + UUID.randomUUID(), unsigned);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.contentType()).startsWith("application/problem+json");
  }

  @Test
  void expiredTokenIsUnauthorized() throws Exception {
    try (KeycloakTokens.TemporaryClient client =
        KeycloakTokens.TemporaryClient.create(
            Map.of("access.token.lifespan", "1"),
            List.of("basic", "profile", "email", "roles", RealmNames.USER_API))) {
      String token = client.demoToken("admin");
      Thread.sleep(2_500);

      Reply expired = service.get("/v1/users/" + UUID.randomUUID(), token);

      assertThat(expired.status()).isEqualTo(401);
      assertThat(expired.json().get("detail").asText()).containsIgnoringCase("expired");
    }
  }

  @Test
  void participantReadsAndChangesOnlyTheirOwnProfile() throws Exception {
    String email = uniqueEmail();
    JsonNode me = createPerson(email);
    JsonNode someoneElse = createPerson(uniqueEmail());
    try (Keycloak keycloak = KeycloakTokens.admin()) {
      CredentialRepresentation password = new CredentialRepresentation();
      password.setType(CredentialRepresentation.PASSWORD);
      password.setValue("it-password-1");
      password.setTemporary(false);
      keycloak
          .realm(RealmNames.REALM)
          .users()
          .get(me.get("keycloak_id").asText())
          .resetPassword(password);
    }
    String token =
        KeycloakTokens.passwordGrant(
                RealmNames.CLI_CLIENT, email, "it-password-1", "openid userapi")
            .get("access_token")
            .asText();

    assertThat(service.get("/v1/users/" + me.get("id").asText(), token).status()).isEqualTo(200);
    assertThat(service.get("/v1/users/" + someoneElse.get("id").asText(), token).status())
        .isEqualTo(403);
    assertThat(
            service
                .json(
                    "PATCH",
                    "/v1/users/" + me.get("id").asText(),
                    token,
                    Map.of("phone", "+386 1 234 567"))
                .status())
        .isEqualTo(200);
    assertThat(
            service
                .json(
                    "PATCH", "/v1/users/" + me.get("id").asText(), token, Map.of("enabled", false))
                .status())
        .isEqualTo(400);
    assertThat(
            service.json("POST", "/v1/locations", token, Map.of("location_id", "it-mine")).status())
        .isEqualTo(403);
  }

  @Test
  void everyRequestIsAuditedWithoutItsBody() throws Exception {
    JsonNode person = createPerson(uniqueEmail());
    String id = person.get("id").asText();
    service.get("/v1/users/" + id, admin);

    ElasticsearchClient elasticsearch = Elasticsearch.client(KeycloakTokens.elasticsearchUrl());
    // The audit log writes in the background (it never holds up a request): wait for both records.
    co.elastic.clients.elasticsearch.core.SearchResponse<Map> found;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    do {
      elasticsearch.indices().refresh(r -> r.index(AuditLog.INDEX));
      found =
          elasticsearch.search(
              s ->
                  s.index(AuditLog.INDEX)
                      .query(q -> q.term(t -> t.field("target.keyword").value(id))),
              Map.class);
    } while (found.hits().hits().size() < 2 && System.nanoTime() < deadline && pause());

    assertThat(found.hits().hits()).hasSizeGreaterThanOrEqualTo(2);
    for (var hit : found.hits().hits()) {
      Map<?, ?> record = hit.source();
      assertThat(record.get("actor")).isEqualTo("admin-demo");
      assertThat(record.get("outcome")).isEqualTo("success");
      assertThat(record.toString()).doesNotContain("Ana Novak").doesNotContain("1948");
    }
  }

  private static boolean pause() throws InterruptedException {
    Thread.sleep(200);
    return true;
  }
}
