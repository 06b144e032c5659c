package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.reactivestreams.Publisher;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.servicekit.audit.AuditLog;
import org.saam.servicekit.reactive.Publishers;
import org.saam.users.cache.PeopleCache;
import org.saam.users.erasure.ErasureService;
import org.saam.users.testing.RunningUserService;
import org.saam.users.testing.RunningUserService.Reply;

/** Erasure of one person from every store, and running it again. */
class ErasureITCase {
  private static RunningUserService service;
  private static String admin;
  private static MongoClient mongo;

  @BeforeAll
  static void start() throws Exception {
    service = RunningUserService.start();
    admin = KeycloakTokens.demoToken("admin", "openid userapi");
    mongo = MongoClients.create("mongodb://127.0.0.1:27017");
  }

  @AfterAll
  static void stop() {
    mongo.close();
    service.close();
  }

  private static <T> T await(Publisher<T> publisher) throws Exception {
    return Publishers.first(publisher, Duration.ofSeconds(30));
  }

  /** One stored sample at {@code hour}, written as the pipeline writes it. */
  private static UpdateOneModel<BsonDocument> bucket(String location, String user, Instant hour) {
    MeasurementBuckets.SampleUpsert upsert =
        MeasurementBuckets.sampleUpsert(
            location, user, "bed.presence", "microhub_bed", hour.toEpochMilli(), 1.0);
    return new UpdateOneModel<>(upsert.filter(), upsert.update(), new UpdateOptions().upsert(true));
  }

  private static long count(MongoCollection<Document> collection, Bson filter) throws Exception {
    return await(collection.countDocuments(filter));
  }

  @Test
  void erasureLeavesNoTraceInAnyStoreAndRunningItAgainSucceeds() throws Exception {
    String email = "it-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    JsonNode person =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Erika Erase", "time_zone", "Europe/Rome", "email", email))
            .json();
    String id = person.get("id").asText();
    JsonNode neighbour =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Nina Next", "time_zone", "Europe/Rome"))
            .json();
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    service.json("POST", "/v1/locations", admin, Map.of("location_id", location));
    service.json(
        "POST",
        "/v1/locations/" + location + "/assignments",
        admin,
        Map.of(
            "user_id",
            id,
            "valid_from",
            "2026-11-01T00:00:00Z",
            "valid_to",
            "2026-11-10T00:00:00Z"));
    service.json(
        "POST",
        "/v1/locations/" + location + "/assignments",
        admin,
        Map.of("user_id", neighbour.get("id").asText(), "valid_from", "2026-11-10T00:00:00Z"));
    service.get("/v1/users/" + id, admin); // fills the cache
    service.get("/v1/locations/" + location + "/assignments", admin);

    MongoCollection<Document> measurements =
        mongo.getDatabase("saam").getCollection(MeasurementBuckets.COLLECTION);
    MongoCollection<Document> features =
        mongo.getDatabase("saam").getCollection(FeatureRecord.COLLECTION);
    Instant during = Instant.parse("2026-11-05T03:00:00Z");
    Instant afterwards = Instant.parse("2026-11-12T03:00:00Z");
    await(
        measurements
            .withDocumentClass(BsonDocument.class)
            .bulkWrite(
                List.of(
                    bucket(location, id, during),
                    bucket(location, null, during.plusSeconds(3600)),
                    bucket(location, neighbour.get("id").asText(), afterwards),
                    bucket(location, null, afterwards))));
    await(
        features
            .withDocumentClass(BsonDocument.class)
            .insertOne(
                new FeatureRecord(
                        id,
                        location,
                        "feature.sleep.time_in_bed_min",
                        "sleep",
                        during.toEpochMilli(),
                        during.toEpochMilli() + 86_400_000L,
                        "Europe/Rome",
                        420.0,
                        10,
                        1.0,
                        1)
                    .toDocument(System.currentTimeMillis())));
    ElasticsearchClient elasticsearch = Elasticsearch.client(KeycloakTokens.elasticsearchUrl());
    elasticsearch.index(
        i ->
            i.index(ErasureService.COACHING_INDEX)
                .id("it-" + id)
                .document(
                    Map.of("event_id", "it-" + id, "user_id", id, "rule_id", "sleep.short_nights"))
                .refresh(co.elastic.clients.elasticsearch._types.Refresh.True));

    Reply erased = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);

    assertThat(erased.status()).as(erased.body()).isEqualTo(200);
    JsonNode removed = erased.json().get("removed");
    assertThat(removed.get("postgres_users").asInt()).isEqualTo(1);
    assertThat(removed.get("postgres_assignments").asInt()).isEqualTo(1);
    assertThat(removed.get("keycloak_accounts").asInt()).isEqualTo(1);
    assertThat(removed.get("mongo_measurement_buckets").asInt()).isEqualTo(2);
    assertThat(removed.get("mongo_features").asInt()).isEqualTo(1);
    assertThat(removed.get("elasticsearch_coaching_events").asInt()).isEqualTo(1);
    assertThat(erased.json().get("requested_by").asText()).isEqualTo("admin-demo");

    // No trace: PostgreSQL, Keycloak, Redis, MongoDB, Elasticsearch.
    assertThat(service.get("/v1/users/" + id, admin).status()).isEqualTo(404);
    try (Connection sql =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/saam_users", "saam", "saam");
        PreparedStatement statement =
            sql.prepareStatement(
                "SELECT (SELECT count(*) FROM users WHERE id = ?::uuid) + (SELECT count(*) FROM assignments WHERE user_id = ?::uuid)"
                    + " + (SELECT count(*) FROM erasures WHERE user_id = ?::uuid AND (plan <> '[]'::jsonb OR keycloak_id IS NOT NULL))")) {
      statement.setString(1, id);
      statement.setString(2, id);
      statement.setString(3, id);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        assertThat(rows.getLong(1)).isZero();
      }
    }
    try (Keycloak keycloak = KeycloakTokens.admin()) {
      assertThat(keycloak.realm(RealmNames.REALM).users().searchByEmail(email, true)).isEmpty();
    }
    RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> connection = redis.connect()) {
      assertThat(connection.sync().exists(PeopleCache.userKey(UUID.fromString(id)))).isZero();
    } finally {
      redis.shutdown();
    }
    assertThat(count(measurements, Filters.eq("user_id", id))).isZero();
    assertThat(count(measurements, Filters.eq("location_id", location)))
        .as("the next resident's buckets and the empty home after the period stay")
        .isEqualTo(2);
    assertThat(count(features, Filters.eq("user_id", id))).isZero();
    elasticsearch
        .indices()
        .refresh(r -> r.index(List.of(ErasureService.COACHING_INDEX, AuditLog.INDEX)));
    assertThat(
            elasticsearch
                .count(
                    c ->
                        c.index(ErasureService.COACHING_INDEX)
                            .query(
                                q ->
                                    q.bool(
                                        b ->
                                            b.should(m -> m.term(t -> t.field("user_id").value(id)))
                                                .should(
                                                    m ->
                                                        m.term(
                                                            t ->
                                                                t.field("user_id.keyword")
                                                                    .value(id))))))
                .count())
        .isZero();
    // The audit log writes in the background: wait (at most 30 s) for the receipt to arrive.
    java.util.concurrent.Callable<Long> receipts =
        () -> {
          elasticsearch.indices().refresh(r -> r.index(AuditLog.INDEX));
          return elasticsearch
              .count(
                  c ->
                      c.index(AuditLog.INDEX)
                          .query(
                              q ->
                                  q.bool(
                                      b ->
                                          b.must(
                                                  m ->
                                                      m.term(
                                                          t ->
                                                              t.field("type.keyword")
                                                                  .value("erasure_receipt")))
                                              .must(
                                                  m ->
                                                      m.term(
                                                          t ->
                                                              t.field("erasure_of.keyword")
                                                                  .value(id))))))
              .count();
        };
    long receiptDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (receipts.call() < 1 && System.nanoTime() < receiptDeadline) {
      Thread.sleep(200);
    }
    assertThat(receipts.call()).isEqualTo(1);

    Reply again = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("removed")).isEqualTo(removed);
    assertThat(
            service
                .send("DELETE", "/v1/users/" + UUID.randomUUID() + "?erase=true", admin, null, null)
                .status())
        .isEqualTo(404);
    assertThat(
            service
                .send("DELETE", "/v1/users/" + neighbour.get("id").asText(), admin, null, null)
                .status())
        .as("without erase=true nothing is deleted")
        .isEqualTo(400);
  }

  @Test
  void lookupsRacingTheErasureCannotPutTheOldAssignmentBackInTheCache() throws Exception {
    String id =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Rita Race", "time_zone", "Europe/Rome"))
            .json()
            .get("id")
            .asText();
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    String assignments = "/v1/locations/" + location + "/assignments";
    service.json("POST", "/v1/locations", admin, Map.of("location_id", location));
    service.json(
        "POST", assignments, admin, Map.of("user_id", id, "valid_from", "2026-11-01T00:00:00Z"));

    // The pipeline's lookups of the home, as fast as they come, all through the erasure.
    AtomicBoolean erasing = new AtomicBoolean(true);
    AtomicLong lookups = new AtomicLong();
    Thread pipeline =
        new Thread(
            () -> {
              while (erasing.get()) {
                try {
                  service.get(assignments, admin);
                  lookups.incrementAndGet();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            },
            "racing-lookups");
    pipeline.start();
    Thread.sleep(200);
    Reply erased = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
    erasing.set(false);
    pipeline.join(10_000);

    assertThat(erased.status()).as(erased.body()).isEqualTo(200);
    assertThat(lookups.get()).as("lookups during the erasure").isGreaterThan(10);
    RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> connection = redis.connect()) {
      String cached = connection.sync().get(PeopleCache.locationKey(location));
      assertThat(cached == null ? "" : cached)
          .as("the cached assignments of " + location + " after the erasure")
          .doesNotContain(id);
    } finally {
      redis.shutdown();
    }
    assertThat(service.get(assignments, admin).body()).doesNotContain(id);
  }
}
