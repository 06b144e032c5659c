package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.saam.common.broker.Topics;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.common.store.QuarantineEntry;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.identity.tokenlog.TokenLogShipper;
import org.saam.servicekit.audit.AuditLog;
import org.saam.servicekit.reactive.Publishers;
import org.saam.users.erasure.ErasureService;
import org.saam.users.erasure.ErasureService.Step;
import org.saam.users.testing.RunningUserService;
import org.saam.users.testing.RunningUserService.Reply;

/**
 * Erasure stopped after every one of its steps in turn (as a crash or a store going away would stop
 * it) and run again each time, then checked store by store, including the stores a first version
 * left alone: quarantine, the Kafka topic, the audit log and the token log.
 */
class ErasureStepsITCase {
  private static final String KAFKA = "127.0.0.1:9092";
  private static RunningUserService service;
  private static String admin;
  private static MongoClient mongo;
  private static ElasticsearchClient elasticsearch;

  @BeforeAll
  static void start() throws Exception {
    service = RunningUserService.start();
    admin = KeycloakTokens.demoToken("admin", "openid userapi");
    mongo = MongoClients.create("mongodb://127.0.0.1:27017");
    elasticsearch = Elasticsearch.client(KeycloakTokens.elasticsearchUrl());
  }

  @AfterAll
  static void stop() {
    service.service().erasure().onStepFinished(ErasureService.StepListener.NONE);
    mongo.close();
    service.close();
  }

  private static void produce(String key, String json) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.COACHING_EVENTS_TOPIC, key, json.getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  /** The topic read as a table: each key's latest value ({@code null} for a tombstone). */
  private static Map<String, byte[]> topicAsTable(String keyPrefix) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    Map<String, byte[]> table = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(Topics.COACHING_EVENTS_TOPIC)
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key() != null && record.key().startsWith(keyPrefix)) {
            table.put(record.key(), record.value());
          }
        }
      }
    }
    return table;
  }

  private static JsonNode document(String index, String id) throws Exception {
    return elasticsearch.get(g -> g.index(index).id(id), ObjectNode.class).source();
  }

  @Test
  void anErasureStoppedAfterAnyStepFinishesWhenRunAgainAndLeavesNoTraceInAnyStore()
      throws Exception {
    String email = "it-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    String id =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Stefa Steps", "time_zone", "Europe/Rome", "email", email))
            .json()
            .get("id")
            .asText();
    String other = UUID.randomUUID().toString();
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    service.json("POST", "/v1/locations", admin, Map.of("location_id", location));
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    service.json(
        "POST",
        "/v1/locations/" + location + "/assignments",
        admin,
        Map.of("user_id", id, "valid_from", from.toString()));
    String keycloakId;
    try (Keycloak keycloak = KeycloakTokens.admin()) {
      keycloakId =
          keycloak.realm(RealmNames.REALM).users().searchByEmail(email, true).get(0).getId();
    }

    // Quarantine: one entry of the home during the period, one before it, one of another home.
    MongoCollection<Document> quarantine =
        mongo.getDatabase("saam").getCollection(QuarantineEntry.COLLECTION);
    String during = "it-q-" + UUID.randomUUID();
    String before = "it-q-" + UUID.randomUUID();
    String elsewhere = "it-q-" + UUID.randomUUID();
    for (Document entry :
        List.of(
            quarantineEntry(during, location, from.plusSeconds(86_400)),
            quarantineEntry(before, location, from.minusSeconds(86_400)),
            quarantineEntry(elsewhere, location + "-x", from.plusSeconds(86_400)))) {
      Publishers.first(quarantine.insertOne(entry), Duration.ofSeconds(30));
    }
    // Kafka: two events of the person, one of someone else.
    produce(Topics.coachingEventKey(id, "e1"), "{\"user_id\":\"" + id + "\"}");
    produce(Topics.coachingEventKey(id, "e2"), "{\"user_id\":\"" + id + "\"}");
    produce(Topics.coachingEventKey(other, "e3"), "{\"user_id\":\"" + other + "\"}");
    // Audit and token log records naming the person (and one that does not).
    String theirs = "it-audit-" + UUID.randomUUID();
    String notTheirs = "it-audit-" + UUID.randomUUID();
    String token = "it-token-" + UUID.randomUUID();
    Map<String, Object> query = Map.of("user_id", id, "source_id", "bed.presence");
    index(AuditLog.INDEX, theirs, audit(email, keycloakId, id, query));
    index(AuditLog.INDEX, notTheirs, audit("someone@example.org", "kc-1", other, Map.of()));
    Map<String, Object> login = new LinkedHashMap<>();
    login.put("event_type", "LOGIN");
    login.put("user_id", keycloakId);
    login.put("username", email.toUpperCase(java.util.Locale.ROOT));
    login.put("client_id", "saam-cli");
    index(TokenLogShipper.INDEX, token, login);

    // Stop after each step in turn; every run goes one step further.
    ErasureService erasure = service.service().erasure();
    UUID person = UUID.fromString(id);
    for (Step stop : Step.values()) {
      erasure.onStepFinished(
          (user, step) -> {
            if (user.equals(person) && step == stop) {
              throw new IllegalStateException("stopped by the test after " + step);
            }
          });
      Reply stopped = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
      assertThat(stopped.status())
          .as("stopped after " + stop + ": " + stopped.body())
          .isEqualTo(500);
    }
    erasure.onStepFinished(ErasureService.StepListener.NONE);
    Reply done = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
    assertThat(done.status()).as(done.body()).isEqualTo(200);

    JsonNode receipt = done.json();
    JsonNode removed = receipt.get("removed");
    assertThat(receipt.get("steps_done")).hasSize(Step.values().length);
    assertThat(removed.get("postgres_assignments").asInt()).isEqualTo(1);
    assertThat(removed.get("postgres_users").asInt()).isEqualTo(1);
    assertThat(removed.get("keycloak_accounts").asInt()).isEqualTo(1);
    assertThat(removed.get("mongo_quarantine").asInt()).isEqualTo(1);
    assertThat(removed.get("kafka_coaching_events").asInt()).isEqualTo(2);
    assertThat(removed.get("elasticsearch_audit_pseudonymised").asInt()).isPositive();
    assertThat(removed.get("elasticsearch_token_log_pseudonymised").asInt()).isEqualTo(1);
    assertThat(receipt.toString()).doesNotContain(email).doesNotContain(keycloakId);

    // Quarantine: only the home's entry of the period went.
    assertThat(
            Publishers.first(
                quarantine.countDocuments(Filters.in("_id", during, before, elsewhere)),
                Duration.ofSeconds(30)))
        .isEqualTo(2);
    assertThat(
            Publishers.first(
                quarantine.countDocuments(Filters.eq("_id", during)), Duration.ofSeconds(30)))
        .isZero();

    // Kafka: every event of the person has a tombstone after it; the other person's stays.
    Map<String, byte[]> theirEvents = topicAsTable(id + "/");
    assertThat(theirEvents).hasSize(2);
    assertThat(theirEvents.values()).containsOnlyNulls();
    assertThat(topicAsTable(other + "/").get(Topics.coachingEventKey(other, "e3"))).isNotNull();

    // Audit and token log: the person's records keep their shape, with a pseudonym for them.
    elasticsearch.indices().refresh(r -> r.index(List.of(AuditLog.INDEX, TokenLogShipper.INDEX)));
    JsonNode record = document(AuditLog.INDEX, theirs);
    String pseudonym = record.get("actor").asText();
    assertThat(pseudonym).startsWith("erased-");
    assertThat(record.get("actor_id").asText()).isEqualTo(pseudonym);
    assertThat(record.get("target").asText()).isEqualTo(pseudonym);
    assertThat(record.at("/query/user_id").asText()).isEqualTo(pseudonym);
    assertThat(record.at("/query/source_id").asText()).isEqualTo("bed.presence");
    assertThat(record.get("route").asText()).isEqualTo("/v1/users/{id}");
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.toString()).doesNotContain(id).doesNotContain(email);
    assertThat(document(AuditLog.INDEX, notTheirs).get("actor").asText())
        .isEqualTo("someone@example.org");
    JsonNode tokenRecord = document(TokenLogShipper.INDEX, token);
    assertThat(tokenRecord.get("user_id").asText()).isEqualTo(pseudonym);
    assertThat(tokenRecord.get("username").asText()).isEqualTo(pseudonym);
    assertThat(tokenRecord.get("client_id").asText()).isEqualTo("saam-cli");

    // PostgreSQL: the open period is an erased period now, closed at the request.
    JsonNode list = service.get("/v1/locations/" + location + "/assignments", admin).json();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("erased").asBoolean()).isTrue();
    assertThat(list.get(0).hasNonNull("user_id")).isFalse();
    assertThat(list.get(0).get("valid_from").asText()).isEqualTo(from.toString());
    assertThat(Instant.parse(list.get(0).get("valid_to").asText()))
        .isEqualTo(Instant.parse(receipt.get("requested_at").asText()));
    assertThat(service.get("/v1/erasures", admin).body()).contains(id);

    // A new resident can move in from the erasure on; the erased period stays in the list.
    String next =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Nova Next", "time_zone", "Europe/Rome"))
            .json()
            .get("id")
            .asText();
    Reply moved =
        service.json(
            "POST",
            "/v1/locations/" + location + "/assignments",
            admin,
            Map.of("user_id", next, "valid_from", receipt.get("requested_at").asText()));
    assertThat(moved.status()).as(moved.body()).isEqualTo(201);
    assertThat(service.get("/v1/locations/" + location + "/assignments", admin).json()).hasSize(2);
  }

  @Test
  void aSecondRequestWhileAnErasureRunsIsRefusedAndTheFirstFinishes() throws Exception {
    String id =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Dora Double", "time_zone", "Europe/Rome"))
            .json()
            .get("id")
            .asText();
    UUID person = UUID.fromString(id);
    java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ErasureService erasure = service.service().erasure();
    erasure.onStepFinished(
        (user, step) -> {
          if (user.equals(person) && step == Step.POSTGRES_ASSIGNMENTS) {
            reached.countDown();
            release.await();
          }
        });
    try {
      var first =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return service.send(
                      "DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(reached.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      Reply second = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
      assertThat(second.status()).as(second.body()).isEqualTo(409);
      assertThat(second.json().get("detail").asText()).contains("is running");
      release.countDown();
      Reply done = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(done.status()).as(done.body()).isEqualTo(200);
      assertThat(done.json().get("removed").get("postgres_users").asInt()).isEqualTo(1);
    } finally {
      release.countDown();
      erasure.onStepFinished(ErasureService.StepListener.NONE);
    }
  }

  @Test
  void anErasurePlannedByTheEarlierVersionIsFinished() throws Exception {
    String id =
        service
            .json(
                "POST",
                "/v1/users",
                admin,
                Map.of("display_name", "Olga Older", "time_zone", "Europe/Rome"))
            .json()
            .get("id")
            .asText();
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    service.json("POST", "/v1/locations", admin, Map.of("location_id", location));
    service.json(
        "POST",
        "/v1/locations/" + location + "/assignments",
        admin,
        Map.of("user_id", id, "valid_from", "2026-11-01T00:00:00Z"));
    // What the earlier version wrote before it stopped: the periods as an array, no steps.
    try (java.sql.Connection sql =
            java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/saam_users", "saam", "saam");
        java.sql.PreparedStatement insert =
            sql.prepareStatement(
                "INSERT INTO erasures (user_id, requested_by, plan, receipt) VALUES (?::uuid,"
                    + " 'admin-demo', ?::jsonb, ?::jsonb)")) {
      insert.setString(1, id);
      insert.setString(
          2,
          "[{\"location_id\":\""
              + location
              + "\",\"valid_from\":\"2026-11-01T00:00:00Z\",\"valid_to\":null}]");
      insert.setString(
          3,
          "{\"erasure_of\":\""
              + id
              + "\",\"requested_by\":\"admin-demo\",\"requested_at\":\""
              + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS)
              + "\",\"removed\":{}}");
      insert.executeUpdate();
    }

    Reply done = service.send("DELETE", "/v1/users/" + id + "?erase=true", admin, null, null);
    assertThat(done.status()).as(done.body()).isEqualTo(200);
    assertThat(done.json().at("/removed/postgres_assignments").asInt()).isEqualTo(1);
    assertThat(done.json().at("/removed/postgres_users").asInt()).isEqualTo(1);
    assertThat(done.json().at("/removed/keycloak_accounts").asInt()).isEqualTo(1);
    assertThat(service.get("/v1/locations/" + location + "/assignments", admin).body())
        .doesNotContain(id)
        .contains("\"erased\":true");
  }

  private static Document quarantineEntry(String id, String location, Instant received) {
    return new Document("_id", id)
        .append(QuarantineEntry.RECEIVED_AT, Date.from(received))
        .append(QuarantineEntry.REASON, "rate_exceeded")
        .append(QuarantineEntry.LOCATION_ID, location)
        .append("raw", "{\"readings\":[]}");
  }

  private static Map<String, Object> audit(
      String actor, String actorId, String target, Map<String, Object> query) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("ts", Instant.now().toString());
    record.put("service", "user-service");
    record.put("actor", actor);
    record.put("actor_id", actorId);
    record.put("method", "GET");
    record.put("route", "/v1/users/{id}");
    record.put("target", target);
    record.put("query", query);
    record.put("status", 200);
    record.put("outcome", "success");
    return record;
  }

  private static void index(String index, String id, Map<String, Object> document)
      throws Exception {
    elasticsearch.index(i -> i.index(index).id(id).document(document).refresh(Refresh.True));
  }
}
