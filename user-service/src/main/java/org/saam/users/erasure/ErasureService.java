package org.saam.users.erasure;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.conversions.Bson;
import org.reactivestreams.Publisher;
import org.saam.common.broker.Topics;
import org.saam.common.records.Assignment;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.common.store.QuarantineEntry;
import org.saam.identity.tokenlog.TokenLogShipper;
import org.saam.servicekit.audit.AuditLog;
import org.saam.servicekit.http.ProblemException;
import org.saam.servicekit.reactive.Publishers;
import org.saam.users.accounts.BrokerAppAccounts;
import org.saam.users.accounts.KeycloakAccounts;
import org.saam.users.cache.PeopleCache;
import org.saam.users.store.CareStore;
import org.saam.users.store.Database;
import org.saam.users.store.LocationStore;
import org.saam.users.store.UserStore;

/**
 * Erases a person from every store, step by step ({@link Step}, in that order): the assignments
 * become erased periods in PostgreSQL (committed, so no lookup finds the person any more and the
 * pipeline drops readings of those periods, also late ones), the Redis cache is cleared and the
 * pipeline told (it drops the person's state), a grace period lets writes already in flight land,
 * then MongoDB (measurement buckets of the person and of their locations during their periods,
 * features, quarantine entries of those locations and periods), Elasticsearch (coaching events
 * deleted; audit and token log records pseudonymised), Kafka (coaching events), the app's broker
 * account, the care relations (either side; caregivers' claims updated), Keycloak, the cache once
 * more, the person's row; then a receipt in the audit log.
 *
 * <p>The plan (periods and the person's identifiers) is written first, in table {@code erasures},
 * and every finished step is recorded there with its count. A run interrupted at any point (a store
 * down, the process killed) is finished by running it again: finished steps are skipped, the
 * interrupted one is idempotent. Running it after it completed answers the same receipt.
 */
public final class ErasureService {
  /** Index of coaching events (the coaching issue writes it). */
  public static final String COACHING_INDEX = Topics.COACHING_EVENTS_INDEX;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The steps, in order; their names are the receipt's keys under {@code removed}. */
  public enum Step {
    POSTGRES_ASSIGNMENTS,
    REDIS_KEYS,
    PIPELINE_GRACE,
    MONGO_MEASUREMENT_BUCKETS,
    MONGO_FEATURES,
    MONGO_QUARANTINE,
    ELASTICSEARCH_COACHING_EVENTS,
    KAFKA_COACHING_EVENTS,
    ELASTICSEARCH_AUDIT_PSEUDONYMISED,
    ELASTICSEARCH_TOKEN_LOG_PSEUDONYMISED,
    BROKER_APP_ACCOUNTS,
    CARE_RELATIONS,
    KEYCLOAK_ACCOUNTS,
    REDIS_KEYS_AGAIN,
    POSTGRES_USERS;

    /** The receipt's key. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Called after each finished step; tests make it throw to stop an erasure there. */
  @FunctionalInterface
  public interface StepListener {
    void finished(UUID userId, Step step) throws Exception;

    StepListener NONE = (userId, step) -> {};
  }

  private final Database database;
  private final UserStore users;
  private final LocationStore locations;
  private final PeopleCache cache;
  private final KeycloakAccounts accounts;
  private final MongoDatabase mongo;
  private final ElasticsearchClient elasticsearch;
  private final AuditLog audit;
  private final BrokerAppAccounts appAccounts;
  private final CoachingEventLog coachingLog;
  private final Duration grace;
  private final CareStore care;
  private volatile StepListener listener = StepListener.NONE;

  /**
   * @param appAccounts people's app accounts on the broker, or {@code null} when this service has
   *     no broker administrator (the receipt then says so)
   * @param coachingLog the Kafka topic of coaching events, or {@code null} when not configured
   * @param grace how long to wait, after the pipeline was told, before data is removed: writes of
   *     readings already past the join land within it
   */
  public ErasureService(
      Database database,
      UserStore users,
      LocationStore locations,
      PeopleCache cache,
      KeycloakAccounts accounts,
      MongoDatabase mongo,
      ElasticsearchClient elasticsearch,
      AuditLog audit,
      BrokerAppAccounts appAccounts,
      CoachingEventLog coachingLog,
      Duration grace,
      CareStore care) {
    this.care = care;
    this.database = database;
    this.users = users;
    this.locations = locations;
    this.cache = cache;
    this.accounts = accounts;
    this.mongo = mongo;
    this.elasticsearch = elasticsearch;
    this.audit = audit;
    this.appAccounts = appAccounts;
    this.coachingLog = coachingLog;
    this.grace = grace;
  }

  /** For tests: called after every finished step. */
  public void onStepFinished(StepListener listener) {
    this.listener = listener;
  }

  /**
   * Erases the person, or finishes an earlier attempt.
   *
   * @return the receipt, or empty when there is neither such a person nor an erasure of them
   */
  public Optional<ObjectNode> erase(UUID userId, String requestedBy) throws Exception {
    // One erasure of a person at a time (across instances): a second request while one runs is
    // refused rather than running the same steps twice side by side.
    long key = userId.getMostSignificantBits() ^ userId.getLeastSignificantBits();
    try (Connection lock = database.connection()) {
      if (!advisoryLock(lock, "SELECT pg_try_advisory_lock(?)", key)) {
        throw ProblemException.conflict(
            "an erasure of "
                + userId
                + " is running; send the request again when it has finished (it resumes where"
                + " that one stopped)",
            Map.of());
      }
      try {
        return eraseLocked(userId, requestedBy);
      } finally {
        advisoryLock(lock, "SELECT pg_advisory_unlock(?)", key);
      }
    }
  }

  private static boolean advisoryLock(Connection connection, String sql, long key)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, key);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    }
  }

  private Optional<ObjectNode> eraseLocked(UUID userId, String requestedBy) throws Exception {
    Plan plan = planOrResume(userId, requestedBy).orElse(null);
    if (plan == null) {
      return Optional.empty();
    }
    if (plan.receipt.hasNonNull("completed_at")) {
      return Optional.of(plan.receipt);
    }
    for (Step step : Step.values()) {
      if (plan.done(step)) {
        continue;
      }
      long count = run(step, userId, plan);
      finish(userId, plan, step, count);
      listener.finished(userId, step);
    }
    ObjectNode receipt = plan.receipt;
    receipt.put("completed_at", Instant.now().toString());
    try (Connection connection = database.connection();
        PreparedStatement statement =
            connection.prepareStatement(
                "UPDATE erasures SET receipt = ?::jsonb, completed_at = now(), plan = '[]'::jsonb,"
                    + " keycloak_id = NULL WHERE user_id = ?")) {
      statement.setString(1, receipt.toString());
      statement.setObject(2, userId);
      statement.executeUpdate();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> record = new LinkedHashMap<>(JSON.convertValue(receipt, Map.class));
    record.put("type", "erasure_receipt");
    record.put("ts", receipt.get("completed_at").asText());
    audit.record(record);
    return Optional.of(receipt);
  }

  /** Every erasure asked for (finished or not), oldest first: id and time of the request. */
  public List<Map<String, String>> erasedPeople() throws SQLException {
    List<Map<String, String>> erased = new ArrayList<>();
    try (Connection connection = database.connection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT user_id, requested_at FROM erasures ORDER BY requested_at, user_id");
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        erased.add(
            Map.of(
                "user_id", rows.getObject(1, UUID.class).toString(),
                "requested_at", rows.getTimestamp(2).toInstant().toString()));
      }
    }
    return erased;
  }

  private long run(Step step, UUID userId, Plan plan) throws Exception {
    String id = userId.toString();
    return switch (step) {
      case POSTGRES_ASSIGNMENTS -> {
        // The assignments become erased periods in one transaction: from here on no lookup finds
        // the person, and the pipeline drops readings of those periods (late ones too).
        try (Connection connection = database.connection()) {
          connection.setAutoCommit(false);
          for (JsonNode period : plan.periods) {
            locations.insertErasedPeriod(
                connection,
                period.get("location_id").asText(),
                Instant.parse(period.get("valid_from").asText()),
                period.hasNonNull("valid_to")
                    ? Instant.parse(period.get("valid_to").asText())
                    : null,
                plan.requestedAt());
          }
          int deleted = locations.deleteAssignmentsOf(connection, userId);
          connection.commit();
          yield deleted;
        }
      }
      // Only now the caches (cleared before, a lookup in between would cache the old
      // assignment again for an hour), and the pipeline is told to drop the person's state.
      case REDIS_KEYS -> {
        long keys = clearCaches(userId, plan);
        cache.announceErasure(userId);
        yield keys;
      }
      case PIPELINE_GRACE -> {
        // Readings that passed the join before it learnt of the erasure are still on their way
        // to the stores (batched writes, at most a few seconds); they land before we delete.
        Thread.sleep(grace.toMillis());
        yield grace.toSeconds();
      }
      case MONGO_MEASUREMENT_BUCKETS -> {
        long buckets =
            deleted(
                mongo
                    .getCollection(MeasurementBuckets.COLLECTION)
                    .deleteMany(Filters.eq(MeasurementBuckets.USER_ID, id)));
        for (JsonNode period : plan.periods) {
          buckets +=
              deleted(
                  mongo
                      .getCollection(MeasurementBuckets.COLLECTION)
                      .deleteMany(bucketsOf(id, period)));
        }
        yield buckets;
      }
      case MONGO_FEATURES ->
          deleted(
              mongo
                  .getCollection(FeatureRecord.COLLECTION)
                  .deleteMany(Filters.eq(FeatureRecord.USER_ID, id)));
      case MONGO_QUARANTINE -> {
        long entries = 0;
        for (JsonNode period : plan.periods) {
          entries +=
              deleted(
                  mongo
                      .getCollection(QuarantineEntry.COLLECTION)
                      .deleteMany(quarantineOf(period, plan.requestedAt())));
        }
        yield entries;
      }
      case ELASTICSEARCH_COACHING_EVENTS -> deleteCoachingEvents(id);
      case KAFKA_COACHING_EVENTS -> coachingLog == null ? 0 : coachingLog.erase(id);
      case ELASTICSEARCH_AUDIT_PSEUDONYMISED ->
          new Pseudonymiser(elasticsearch, plan.identifiers(), plan.pseudonym())
              .apply(AuditLog.INDEX);
      case ELASTICSEARCH_TOKEN_LOG_PSEUDONYMISED ->
          new Pseudonymiser(elasticsearch, plan.identifiers(), plan.pseudonym())
              .apply(TokenLogShipper.INDEX);
      case BROKER_APP_ACCOUNTS -> appAccounts != null && appAccounts.revoke(userId) ? 1 : 0;
      case CARE_RELATIONS -> {
        // The caregivers' claims first (without the person), then the rows: a run stopped in
        // between finds the rows again and repeats both.
        try (Connection connection = database.connection()) {
          for (UUID caregiver : care.caregiversOf(connection, userId)) {
            var account = users.find(connection, caregiver);
            if (account.isPresent() && account.get().keycloakId() != null) {
              List<UUID> people = new ArrayList<>(care.caredForBy(connection, caregiver));
              people.remove(userId);
              accounts.setCaresFor(account.get().keycloakId(), people);
            }
          }
          yield care.removeAllOf(connection, userId);
        }
      }
      case KEYCLOAK_ACCOUNTS -> {
        String keycloakId = plan.keycloakId();
        yield keycloakId != null && accounts.delete(keycloakId) ? 1 : 0;
      }
      // Once more: a lookup that read PostgreSQL just before the assignments went may have
      // written them back to Redis after the first clear; it has long finished by now.
      case REDIS_KEYS_AGAIN -> clearCaches(userId, plan);
      case POSTGRES_USERS -> {
        try (Connection connection = database.connection()) {
          connection.setAutoCommit(false);
          int people = users.delete(connection, userId);
          connection.commit();
          yield people;
        }
      }
    };
  }

  /**
   * Deletes the person's cache entries and those of every location of their plan, and tells the
   * pipeline instances (the invalidation channel) to forget those locations' assignments.
   */
  private long clearCaches(UUID userId, Plan plan) {
    long keys = cache.evictUser(userId);
    for (JsonNode period : plan.periods) {
      keys += cache.invalidateLocation(period.get("location_id").asText());
    }
    return keys;
  }

  /** The buckets of a location during a person's period that belong to them or to nobody. */
  private static Bson bucketsOf(String userId, JsonNode period) {
    long from = Instant.parse(period.get("valid_from").asText()).toEpochMilli();
    long to =
        period.hasNonNull("valid_to")
            ? Instant.parse(period.get("valid_to").asText()).toEpochMilli()
            : Long.MAX_VALUE;
    return Filters.and(
        Filters.eq(MeasurementBuckets.LOCATION_ID, period.get("location_id").asText()),
        Filters.in(MeasurementBuckets.USER_ID, Arrays.asList(userId, null)),
        MeasurementBuckets.hoursCovering(from, to));
  }

  /**
   * Quarantine entries of a location received during a period (an open period up to now: what
   * arrived between the request and this step was still theirs).
   */
  private static Bson quarantineOf(JsonNode period, Instant requestedAt) {
    Instant from = Instant.parse(period.get("valid_from").asText());
    Instant to =
        period.hasNonNull("valid_to")
            ? Instant.parse(period.get("valid_to").asText())
            : Instant.now().isAfter(requestedAt) ? Instant.now() : requestedAt;
    return Filters.and(
        Filters.eq(QuarantineEntry.LOCATION_ID, period.get("location_id").asText()),
        Filters.gte(QuarantineEntry.RECEIVED_AT, java.util.Date.from(from)),
        Filters.lt(QuarantineEntry.RECEIVED_AT, java.util.Date.from(to)));
  }

  /** The erasure's record: periods, identifiers, the receipt so far. */
  private record Plan(ArrayNode periods, ObjectNode identity, ObjectNode receipt) {
    boolean done(Step step) {
      for (JsonNode done : receipt.path("steps_done")) {
        if (done.asText().equals(step.key())) {
          return true;
        }
      }
      return false;
    }

    Instant requestedAt() {
      return Instant.parse(receipt.get("requested_at").asText());
    }

    String keycloakId() {
      return identity.path("keycloak_id").asText(null);
    }

    /** Random, made at planning, kept only until the erasure completes. */
    String pseudonym() {
      return identity.get("pseudonym").asText();
    }

    /** Every value that names the person: user id, Keycloak id, user name, email. */
    List<String> identifiers() {
      List<String> values = new ArrayList<>();
      for (String field : List.of("user_id", "keycloak_id", "username", "email")) {
        String value = identity.path(field).asText(null);
        if (value != null && !value.isBlank()) {
          values.add(value);
        }
      }
      return values;
    }
  }

  private Optional<Plan> planOrResume(UUID userId, String requestedBy) throws SQLException {
    try (Connection connection = database.connection()) {
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT plan, receipt, completed_at, keycloak_id FROM erasures WHERE user_id = ?")) {
        statement.setObject(1, userId);
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            ObjectNode receipt = (ObjectNode) JSON.readTree(rows.getString("receipt"));
            JsonNode stored = JSON.readTree(rows.getString("plan"));
            if (rows.getTimestamp("completed_at") != null) {
              return Optional.of(
                  new Plan(JSON.createArrayNode(), JSON.createObjectNode(), receipt));
            }
            if (stored.isArray()) {
              // Planned by an earlier version (periods only): what it knew is used, the profile
              // may still be there for the rest.
              ObjectNode identity = identityOf(userId, users.find(connection, userId).orElse(null));
              if (rows.getString("keycloak_id") != null) {
                identity.put("keycloak_id", rows.getString("keycloak_id"));
              }
              receipt.withArray("steps_done");
              ObjectNode upgraded = JSON.createObjectNode();
              upgraded.set("assignments", stored);
              upgraded.set("identity", identity);
              try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE erasures SET plan = ?::jsonb WHERE user_id = ?")) {
                update.setString(1, upgraded.toString());
                update.setObject(2, userId);
                update.executeUpdate();
              }
              return Optional.of(new Plan((ArrayNode) stored, identity, receipt));
            }
            return Optional.of(
                new Plan(
                    (ArrayNode) stored.get("assignments"),
                    (ObjectNode) stored.get("identity"),
                    receipt));
          }
        } catch (IOException e) {
          throw new SQLException("erasure record of " + userId + " is not valid JSON", e);
        }
      }
      var user = users.find(connection, userId);
      if (user.isEmpty()) {
        return Optional.empty();
      }
      ArrayNode periods = JSON.createArrayNode();
      for (Assignment assignment : users.assignmentsOf(connection, userId)) {
        ObjectNode period = periods.addObject();
        period.put("location_id", assignment.locationId());
        period.put("valid_from", assignment.validFrom().toString());
        period.put(
            "valid_to", assignment.validTo() == null ? null : assignment.validTo().toString());
      }
      ObjectNode identity = identityOf(userId, user.get());
      ObjectNode stored = JSON.createObjectNode();
      stored.set("assignments", periods);
      stored.set("identity", identity);
      ObjectNode receipt = JSON.createObjectNode();
      receipt.put("erasure_of", userId.toString());
      receipt.put("requested_by", requestedBy);
      // PostgreSQL keeps microseconds: the erased periods end exactly at this instant.
      receipt.put(
          "requested_at",
          Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString());
      receipt.putObject("removed");
      receipt.putArray("steps_done");
      try (PreparedStatement statement =
          connection.prepareStatement(
              "INSERT INTO erasures (user_id, requested_by, keycloak_id, plan, receipt)"
                  + " VALUES (?, ?, ?, ?::jsonb, ?::jsonb)")) {
        statement.setObject(1, userId);
        statement.setString(2, requestedBy);
        statement.setString(3, user.get().keycloakId());
        statement.setString(4, stored.toString());
        statement.setString(5, receipt.toString());
        statement.executeUpdate();
      }
      return Optional.of(new Plan(periods, identity, receipt));
    }
  }

  /** What names the person, and the random pseudonym that replaces it in the logs. */
  private static ObjectNode identityOf(UUID userId, org.saam.users.store.User user) {
    ObjectNode identity = JSON.createObjectNode();
    identity.put("user_id", userId.toString());
    if (user != null) {
      identity.put("keycloak_id", user.keycloakId());
      identity.put("username", KeycloakAccounts.username(user));
      identity.put("email", user.email());
    }
    identity.put("pseudonym", "erased-" + UUID.randomUUID().toString().substring(0, 13));
    return identity;
  }

  /** Records a finished step with its count, so a later run skips it. */
  private void finish(UUID userId, Plan plan, Step step, long count) throws SQLException {
    ObjectNode removed = (ObjectNode) plan.receipt.get("removed");
    removed.put(step.key(), removed.path(step.key()).asLong(0) + count);
    ((ArrayNode) plan.receipt.withArray("steps_done")).add(step.key());
    try (Connection connection = database.connection();
        PreparedStatement statement =
            connection.prepareStatement(
                "UPDATE erasures SET receipt = ?::jsonb WHERE user_id = ?")) {
      statement.setString(1, plan.receipt.toString());
      statement.setObject(2, userId);
      statement.executeUpdate();
    }
  }

  /**
   * Deletes the person's coaching events by id, page by page. (Not delete-by-query: the minimal
   * Elasticsearch distribution of the local stack has no reindex module, and this works on both.)
   */
  private long deleteCoachingEvents(String userId) throws IOException {
    long deleted = 0;
    while (true) {
      var page =
          elasticsearch.search(
              s ->
                  s.index(COACHING_INDEX)
                      .ignoreUnavailable(true)
                      .allowNoIndices(true)
                      .size(500)
                      .source(src -> src.fetch(false))
                      .query(
                          q ->
                              q.bool(
                                  b ->
                                      b.should(m -> m.term(t -> t.field("user_id").value(userId)))
                                          .should(
                                              m ->
                                                  m.term(
                                                      t ->
                                                          t.field("user_id.keyword")
                                                              .value(userId))))),
              Void.class);
      if (page.hits().hits().isEmpty()) {
        return deleted;
      }
      var bulk = new BulkRequest.Builder().refresh(Refresh.True);
      for (var hit : page.hits().hits()) {
        bulk.operations(op -> op.delete(d -> d.index(hit.index()).id(hit.id())));
      }
      var response = elasticsearch.bulk(bulk.build());
      if (response.errors()) {
        throw new IOException("Elasticsearch refused to delete coaching events of " + userId);
      }
      deleted += page.hits().hits().size();
    }
  }

  private static long deleted(Publisher<DeleteResult> publisher) throws IOException {
    DeleteResult deleted = Publishers.first(publisher, Duration.ofSeconds(60));
    return deleted == null ? 0 : deleted.getDeletedCount();
  }
}
