package org.saam.users.erasure;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
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
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.conversions.Bson;
import org.reactivestreams.Publisher;
import org.saam.common.broker.Topics;
import org.saam.common.records.Assignment;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.servicekit.audit.AuditLog;
import org.saam.servicekit.reactive.Publishers;
import org.saam.users.accounts.BrokerAppAccounts;
import org.saam.users.accounts.KeycloakAccounts;
import org.saam.users.cache.PeopleCache;
import org.saam.users.store.Database;
import org.saam.users.store.LocationStore;
import org.saam.users.store.UserStore;

/**
 * Erases a person from every store, in this order: their assignments in PostgreSQL (committed, so
 * no lookup finds them any more), the Redis cache and the pipeline's invalidation channel, MongoDB
 * (their measurement buckets for the locations and periods they were assigned, and their features),
 * Elasticsearch (their coaching events), the person's app account on the broker, Keycloak, the
 * cache once more, and their row in PostgreSQL; then writes a receipt to the audit log.
 *
 * <p>The plan (which locations and periods) is written first, in table {@code erasures}, so an
 * erasure interrupted by a failing store can be run again and finishes the job; every step is
 * idempotent and the counts add up across runs. Running it after it completed answers the same
 * receipt.
 */
public final class ErasureService {
  /** Index of coaching events (the coaching issue writes it). */
  public static final String COACHING_INDEX = Topics.COACHING_EVENTS_INDEX;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Database database;
  private final UserStore users;
  private final LocationStore locations;
  private final PeopleCache cache;
  private final KeycloakAccounts accounts;
  private final MongoDatabase mongo;
  private final ElasticsearchClient elasticsearch;
  private final AuditLog audit;
  private final BrokerAppAccounts appAccounts;

  /**
   * @param appAccounts people's app accounts on the broker, or {@code null} when this service has
   *     no broker administrator (the receipt then says so)
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
      BrokerAppAccounts appAccounts) {
    this.database = database;
    this.users = users;
    this.locations = locations;
    this.cache = cache;
    this.accounts = accounts;
    this.mongo = mongo;
    this.elasticsearch = elasticsearch;
    this.audit = audit;
    this.appAccounts = appAccounts;
  }

  /**
   * Erases the person, or finishes an earlier attempt.
   *
   * @return the receipt, or empty when there is neither such a person nor an erasure of them
   */
  public Optional<ObjectNode> erase(UUID userId, String requestedBy) throws Exception {
    ObjectNode plan = planOrResume(userId, requestedBy).orElse(null);
    if (plan == null) {
      return Optional.empty();
    }
    if (plan.hasNonNull("completed_at")) {
      return Optional.of(plan);
    }
    ObjectNode removed = (ObjectNode) plan.get("removed");
    String id = userId.toString();

    // First the assignments, committed: from here on no lookup finds the person at any location.
    // Only then the caches (cleared before, a lookup in between would cache the old assignment
    // again for an hour), and only then the data, so that what the pipeline wrote in the meantime
    // from readings in flight is removed too.
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      int assignments = locations.deleteAssignmentsOf(connection, userId);
      connection.commit();
      add(userId, removed, "postgres_assignments", assignments);
    }
    add(userId, removed, "redis_keys", clearCaches(userId, plan));

    long buckets =
        deleted(
            mongo
                .getCollection(MeasurementBuckets.COLLECTION)
                .deleteMany(Filters.eq(MeasurementBuckets.USER_ID, id)));
    for (JsonNode period : plan.get("assignments")) {
      buckets +=
          deleted(
              mongo.getCollection(MeasurementBuckets.COLLECTION).deleteMany(bucketsOf(id, period)));
    }
    add(userId, removed, "mongo_measurement_buckets", buckets);
    add(
        userId,
        removed,
        "mongo_features",
        deleted(
            mongo
                .getCollection(FeatureRecord.COLLECTION)
                .deleteMany(Filters.eq(FeatureRecord.USER_ID, id))));
    add(userId, removed, "elasticsearch_coaching_events", deleteCoachingEvents(id));

    if (appAccounts != null) {
      add(userId, removed, "broker_app_accounts", appAccounts.revoke(userId) ? 1 : 0);
    }

    String keycloakId = plan.path("keycloak_id").asText(null);
    add(
        userId,
        removed,
        "keycloak_accounts",
        keycloakId != null && accounts.delete(keycloakId) ? 1 : 0);

    // Once more: a lookup that read PostgreSQL just before the assignments went may have written
    // them back to Redis after the first clear; it has long finished by now.
    add(userId, removed, "redis_keys", clearCaches(userId, plan));

    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      int people = users.delete(connection, userId);
      connection.commit();
      add(userId, removed, "postgres_users", people);
    }

    plan.put("completed_at", Instant.now().toString());
    plan.remove("assignments"); // the periods were the last link to the person; not kept
    plan.remove("keycloak_id");
    try (Connection connection = database.connection();
        PreparedStatement statement =
            connection.prepareStatement(
                "UPDATE erasures SET receipt = ?::jsonb, completed_at = now(), plan = '[]'::jsonb,"
                    + " keycloak_id = NULL WHERE user_id = ?")) {
      statement.setString(1, plan.toString());
      statement.setObject(2, userId);
      statement.executeUpdate();
    }
    Map<String, Object> receipt = new LinkedHashMap<>(JSON.convertValue(plan, Map.class));
    receipt.put("type", "erasure_receipt");
    receipt.put("ts", plan.get("completed_at").asText());
    audit.record(receipt);
    return Optional.of(plan);
  }

  /** The buckets of a location during a person's period that belong to them or to nobody. */
  /**
   * Deletes the person's cache entries and those of every location of their plan, and tells the
   * pipeline instances (the invalidation channel) to forget those locations' assignments.
   */
  private long clearCaches(UUID userId, ObjectNode plan) {
    long keys = cache.evictUser(userId);
    for (JsonNode period : plan.get("assignments")) {
      keys += cache.invalidateLocation(period.get("location_id").asText());
    }
    return keys;
  }

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

  private Optional<ObjectNode> planOrResume(UUID userId, String requestedBy) throws SQLException {
    try (Connection connection = database.connection()) {
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT plan, receipt, keycloak_id, requested_by, requested_at, completed_at"
                  + " FROM erasures WHERE user_id = ?")) {
        statement.setObject(1, userId);
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            ObjectNode receipt = (ObjectNode) JSON.readTree(rows.getString("receipt"));
            if (rows.getTimestamp("completed_at") == null) {
              receipt.set("assignments", JSON.readTree(rows.getString("plan")));
              receipt.put("keycloak_id", rows.getString("keycloak_id"));
            }
            return Optional.of(receipt);
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
      ObjectNode receipt = JSON.createObjectNode();
      receipt.put("erasure_of", userId.toString());
      receipt.put("requested_by", requestedBy);
      receipt.put("requested_at", Instant.now().toString());
      receipt.putObject("removed");
      try (PreparedStatement statement =
          connection.prepareStatement(
              "INSERT INTO erasures (user_id, requested_by, keycloak_id, plan, receipt)"
                  + " VALUES (?, ?, ?, ?::jsonb, ?::jsonb)")) {
        statement.setObject(1, userId);
        statement.setString(2, requestedBy);
        statement.setString(3, user.get().keycloakId());
        statement.setString(4, periods.toString());
        statement.setString(5, receipt.toString());
        statement.executeUpdate();
      }
      receipt.set("assignments", periods);
      receipt.put("keycloak_id", user.get().keycloakId());
      return Optional.of(receipt);
    }
  }

  /** Adds a step's count to the receipt and saves it, so a later run continues the sums. */
  private void add(UUID userId, ObjectNode removed, String store, long count) throws SQLException {
    removed.put(store, removed.path(store).asLong(0) + count);
    try (Connection connection = database.connection();
        PreparedStatement statement =
            connection.prepareStatement(
                "UPDATE erasures SET receipt = jsonb_set(receipt, '{removed}', ?::jsonb)"
                    + " WHERE user_id = ?")) {
      statement.setString(1, removed.toString());
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
      var bulk =
          new co.elastic.clients.elasticsearch.core.BulkRequest.Builder()
              .refresh(co.elastic.clients.elasticsearch._types.Refresh.True);
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
    DeleteResult deleted = Publishers.first(publisher, java.time.Duration.ofSeconds(60));
    return deleted == null ? 0 : deleted.getDeletedCount();
  }
}
