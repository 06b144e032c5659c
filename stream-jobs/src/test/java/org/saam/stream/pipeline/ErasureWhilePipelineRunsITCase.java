package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.saam.common.broker.Topics;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.common.store.QuarantineEntry;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.options.CoachingOptions;
import org.saam.stream.options.SinkOptions;
import org.saam.stream.testing.JobMetrics;
import org.saam.stream.testing.PipelineTestBed;
import org.saam.stream.testing.UserServiceClient;

/**
 * A person is erased while the pipeline runs and their home goes on sending: the running user
 * service (the one {@code ./saam test} starts) erases them from the stores the pipeline writes (the
 * platform's own database, topic and index), and afterwards nothing of theirs is in any of them,
 * nor comes back while the home's readings still arrive.
 */
class ErasureWhilePipelineRunsITCase {
  private static final String DATABASE = "saam";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final LocalDate START = LocalDate.of(2026, 10, 5);

  /** Fires on two active days in a row: every person gets events within a few simulated days. */
  private static final String ACTIVE_DAYS_RULE =
      """
        - id: test.erasure_active_days
          feature: feature.activity.steps
          condition: {type: threshold, op: above, value: 0}
          consecutive: 2
          min_coverage: 0.5
          cooldown: P1D
          severity: info
          message_key: coaching.test.active_days
          rationale: test rule that fires for anyone who walks
      """;

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed();

  @TempDir Path dir;

  private final MongoClient mongo = MongoClients.create(LocalStackEndpoints.mongoUri());
  private final ElasticsearchClient elasticsearch =
      Elasticsearch.client(LocalStackEndpoints.elasticsearchUrl());

  @AfterEach
  void close() throws Exception {
    mongo.close();
    elasticsearch._transport().close();
  }

  private List<Simulation.Message> simulate(LocalDate start, int days) throws Exception {
    List<Simulation.Message> messages = new ArrayList<>();
    new Simulation(
            SimulationSettings.defaults()
                .withLocationPrefix(bed.queue().locationPrefix())
                .withHomes(1)
                .withStartDate(start)
                .withDays(days))
        .run(messages::add, Simulation.Pacer.FULL_SPEED);
    return messages;
  }

  @Test
  void erasingAPersonWhileTheirHomeSendsLeavesNothingOfThemInAnyStoreAndNothingComesBack(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    List<Simulation.Message> before = simulate(START, 4);
    String location = before.get(0).locationId();
    UserServiceClient users = UserServiceClient.asAdmin();
    String person = users.createPerson("Erin Erased", "Europe/Rome");
    users.post("/v1/locations", Map.of("location_id", location));
    users.post(
        "/v1/locations/" + location + "/assignments",
        Map.of("user_id", person, "valid_from", "2026-01-01T00:00:00Z"));

    Path rules = dir.resolve("coaching-rules.yaml");
    try (InputStream shipped =
        CoachingRules.class.getResourceAsStream(CoachingRules.DEFAULT_RESOURCE)) {
      Files.writeString(
          rules,
          new String(shipped.readAllBytes(), StandardCharsets.UTF_8).stripTrailing()
              + "\n"
              + ACTIVE_DAYS_RULE);
    }
    JobClient job =
        bed.start(
            cluster,
            bed.options()
                .set(SinkOptions.DATABASE, DATABASE)
                .set(CoachingOptions.ENABLED, true)
                .set(CoachingOptions.RULES, rules)
                .set(CoachingOptions.KAFKA_BOOTSTRAP, LocalStackEndpoints.kafkaBootstrap())
                .set(CoachingOptions.TOPIC, Topics.COACHING_EVENTS_TOPIC)
                .set(CoachingOptions.ELASTICSEARCH_URL, LocalStackEndpoints.elasticsearchUrl())
                .set(CoachingOptions.INDEX, Topics.COACHING_EVENTS_INDEX)
                .build());
    for (Simulation.Message message : before) {
      bed.gateway().publishRaw(message.topic(), message.payload());
    }
    MongoDatabase saam = mongo.getDatabase(DATABASE);
    waitFor(
        "the person's measurements, features and coaching events",
        job,
        () ->
            count(saam, MeasurementBuckets.COLLECTION, Filters.eq("user_id", person)) > 0
                && count(saam, FeatureRecord.COLLECTION, Filters.eq("user_id", person)) > 0
                && indexedEventsOf(person) > 0
                && !kafkaEventsOf(person).isEmpty());

    // Their sign-ins as the token log keeps them (the shipper writes these from Keycloak events).
    List<String> accounts = keycloakAccountsOf(person);
    assertThat(accounts).hasSize(1);
    String tokenRecord = "it-token-" + java.util.UUID.randomUUID();
    elasticsearch.index(
        i ->
            i.index("saam-token-log")
                .id(tokenRecord)
                .document(
                    Map.of(
                        "event_type",
                        "LOGIN",
                        "user_id",
                        accounts.get(0),
                        "username",
                        "p-" + person,
                        "client_id",
                        "saam-cli"))
                .refresh(co.elastic.clients.elasticsearch._types.Refresh.True));

    // The home goes on sending (the next days, still inside the person's period) through the
    // erasure and after it.
    List<Simulation.Message> after = simulate(START.plusDays(4), 3);
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    Thread home =
        new Thread(
            () -> {
              for (Simulation.Message message : after) {
                if (!sending.get()) {
                  return;
                }
                try {
                  bed.gateway().publishRaw(message.topic(), message.payload());
                  sent.incrementAndGet();
                  Thread.sleep(5);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            },
            "home-keeps-sending");
    home.start();
    Thread.sleep(500);
    Map.Entry<Integer, JsonNode> erased =
        users.send("DELETE", "/v1/users/" + person + "?erase=true");
    assertThat(erased.getKey()).as(String.valueOf(erased.getValue())).isEqualTo(200);
    JsonNode removed = erased.getValue().get("removed");
    assertThat(removed.get("mongo_features").asLong()).isPositive();
    assertThat(removed.get("kafka_coaching_events").asLong()).isPositive();
    assertThat(removed.get("elasticsearch_coaching_events").asLong()).isPositive();
    home.join(120_000);
    sending.set(false);
    assertThat(sent.get()).as("the home sent during and after the erasure").isEqualTo(after.size());

    // Everything the home sent has been through the pipeline: dropped as the erased person's.
    waitFor(
        "the readings sent after the erasure to be dropped",
        job,
        () -> {
          try {
            return JobMetrics.total(cluster, job.getJobID(), "erased_dropped_total") > 0
                && bed.queue().depth().startsWith("0");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    String completed = erased.getValue().get("completed_at").asText();
    JsonNode signIn =
        elasticsearch.get(g -> g.index("saam-token-log").id(tokenRecord), JsonNode.class).source();
    assertThat(signIn.toString())
        .as("the token log record, pseudonymised")
        .doesNotContain(person)
        .doesNotContain(accounts.get(0))
        .contains("erased-")
        .contains("LOGIN");
    assertClean(saam, person, location, completed);
    Thread.sleep(5_000); // checkpoints and flushes: anything in flight would land now
    assertClean(saam, person, location, completed);
  }

  private void assertClean(MongoDatabase saam, String person, String location, String completed)
      throws Exception {
    assertThat(count(saam, MeasurementBuckets.COLLECTION, Filters.eq("user_id", person)))
        .as("measurement buckets of the person")
        .isZero();
    assertThat(count(saam, MeasurementBuckets.COLLECTION, Filters.eq("location_id", location)))
        .as("measurement buckets of their home (every reading was inside their period)")
        .isZero();
    assertThat(count(saam, FeatureRecord.COLLECTION, Filters.eq("user_id", person)))
        .as("features")
        .isZero();
    assertThat(count(saam, QuarantineEntry.COLLECTION, Filters.eq("location_id", location)))
        .as("quarantine entries of their home")
        .isZero();
    assertThat(indexedEventsOf(person)).as("coaching events in Elasticsearch").isZero();
    Map<String, byte[]> kafka = kafkaEventsOf(person);
    assertThat(kafka).as("the person's keys in Kafka").isNotEmpty();
    assertThat(kafka.values()).as("their latest records are tombstones").containsOnlyNulls();
    RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> connection = redis.connect()) {
      assertThat(connection.sync().exists("saam:user:" + person)).isZero();
      String cached = connection.sync().get("saam:loc:" + location);
      assertThat(cached == null ? "" : cached).doesNotContain(person);
    } finally {
      redis.shutdown();
    }
    assertThat(keycloakAccountsOf(person)).as("Keycloak accounts of the person").isEmpty();
    assertThat(auditRecordsNaming(person, completed))
        .as("audit records naming the person, other than the erasure's own")
        .isEmpty();
    UserServiceClient users = UserServiceClient.asAdmin();
    assertThat(users.send("GET", "/v1/users/" + person).getKey()).isEqualTo(404);
    assertThat(
            users.send("GET", "/v1/locations/" + location + "/assignments").getValue().toString())
        .doesNotContain(person)
        .contains("\"erased\":true");
  }

  /** Ids of the accounts of realm saam whose saam_user_id is the person (Keycloak's admin API). */
  private static List<String> keycloakAccountsOf(String person) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String keycloak = "http://127.0.0.1:8180";
    HttpResponse<String> token =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(keycloak + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=password&client_id=admin-cli&username=admin&password="
                            + URLEncoder.encode(
                                System.getenv()
                                    .getOrDefault("SAAM_KEYCLOAK_ADMIN_PASSWORD", "admin"),
                                StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    String bearer = JSON.readTree(token.body()).get("access_token").asText();
    HttpResponse<String> found =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        keycloak
                            + "/admin/realms/saam/users?q="
                            + URLEncoder.encode("saam_user_id:" + person, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + bearer)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JSON.readTree(found.body()).forEach(account -> ids.add(account.get("id").asText()));
    return ids;
  }

  /**
   * Audit records of requests before the erasure completed that name the person, except the
   * erasure's own (its requests and its receipt, which name the erased id on purpose). Requests
   * made afterwards (this test's own look-ups of the erased id) are new records, not traces.
   */
  private List<String> auditRecordsNaming(String person, String completed) throws Exception {
    elasticsearch.indices().refresh(r -> r.index("saam-audit"));
    java.time.Instant end = java.time.Instant.parse(completed);
    List<String> found = new ArrayList<>();
    for (var hit :
        elasticsearch
            .search(
                s ->
                    s.index("saam-audit")
                        .size(1000)
                        .query(
                            q ->
                                q.queryString(
                                    qs ->
                                        qs.query("\"" + person + "\"").fields("*").lenient(true))),
                JsonNode.class)
            .hits()
            .hits()) {
      JsonNode record = hit.source();
      boolean erasureRequest =
          "DELETE".equals(record.path("method").asText())
              && "/v1/users/{id}".equals(record.path("route").asText());
      boolean receipt = "erasure_receipt".equals(record.path("type").asText());
      if (!erasureRequest
          && !receipt
          && java.time.Instant.parse(record.path("ts").asText()).isBefore(end)) {
        found.add(record.toString());
      }
    }
    return found;
  }

  private static long count(MongoDatabase database, String collection, Bson filter) {
    return database.getCollection(collection).countDocuments(filter);
  }

  private long indexedEventsOf(String person) {
    try {
      elasticsearch.indices().refresh(r -> r.index(Topics.COACHING_EVENTS_INDEX));
      return elasticsearch
          .count(
              c ->
                  c.index(Topics.COACHING_EVENTS_INDEX)
                      // user_id is a keyword where the pipeline created the index, text with a
                      // keyword subfield where a document came first: either way.
                      .query(
                          q ->
                              q.bool(
                                  b ->
                                      b.should(m -> m.term(t -> t.field("user_id").value(person)))
                                          .should(
                                              m ->
                                                  m.term(
                                                      t ->
                                                          t.field("user_id.keyword")
                                                              .value(person))))))
          .count();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The person's events in the topic read as a table: key -> latest value (null: tombstone). */
  private static Map<String, byte[]> kafkaEventsOf(String person) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStackEndpoints.kafkaBootstrap());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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
          if (record.key() != null && record.key().startsWith(person + "/")) {
            table.put(record.key(), record.value());
          }
        }
      }
    }
    return table;
  }

  /** Waits up to 4 minutes; fails at once when the job ended instead of running on. */
  private static void waitFor(String what, JobClient job, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (!condition.getAsBoolean()) {
      JobStatus status = job.getJobStatus().get();
      if (status.isGloballyTerminalState()) {
        throw new AssertionError("the job ended as " + status + " while waiting for " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }
}
