package org.saam.users.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.saam.common.broker.Topics;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.realm.RealmNames;
import org.saam.common.records.Assignment;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.servicekit.ServiceHttp;
import org.saam.servicekit.http.ProblemException;
import org.saam.users.cache.PeopleCache;
import org.saam.users.store.CareStore;
import org.saam.users.store.Database;
import org.saam.users.store.LocationStore;
import org.saam.users.store.UserStore;

/**
 * {@code /v1/locations}: homes and who lives there when. Assignment lists are cached in Redis under
 * {@code saam:loc:<location_id>} for the pipeline; every change deletes the key and is announced on
 * {@code saam:assignments}.
 */
public final class LocationHandlers {
  private static final String[] MANAGERS = {"admin", "operator"};
  private static final String[] READERS = {"admin", "operator", "caregiver"};

  /** Who may list a location's assignments: the readers, and the pipeline's service account. */
  private static final String[] ASSIGNMENT_READERS = {
    "admin", "operator", "caregiver", RealmNames.ASSIGNMENT_READER
  };

  private final CareStore care;
  private final Database database;
  private final LocationStore locations;
  private final UserStore users;
  private final PeopleCache cache;
  private final Callers callers;
  private final ObjectMapper json;
  private final MeterRegistry metrics;

  public LocationHandlers(
      Database database,
      LocationStore locations,
      UserStore users,
      PeopleCache cache,
      Callers callers,
      ObjectMapper json,
      MeterRegistry metrics,
      CareStore care) {
    this.care = care;
    this.database = database;
    this.locations = locations;
    this.users = users;
    this.cache = cache;
    this.callers = callers;
    this.json = json;
    this.metrics = metrics;
  }

  public void create(Context ctx) throws Exception {
    callers.require(ctx, MANAGERS);
    JsonNode body = Bodies.json(ctx, json);
    String id = body.path("location_id").asText("");
    if (!ReadingBatchCodec.IDENTIFIER.matcher(id).matches()) {
      throw ProblemException.badRequest(
          "location_id '"
              + id
              + "' must match "
              + ReadingBatchCodec.IDENTIFIER.pattern()
              + " (lower-case letters, digits and '-'; no dots)");
    }
    if (!Topics.isUsableLocationId(id)) {
      throw ProblemException.badRequest(
          "location_id '"
              + id
              + "' is reserved: saam/users/... is the namespace of people's coaching topics");
    }
    String label = body.hasNonNull("label") ? body.get("label").asText() : null;
    ServiceHttp.auditDetail(ctx, "target", id);
    try (Connection connection = database.connection()) {
      locations.insertLocation(connection, id, label);
    } catch (SQLException e) {
      if (LocationStore.UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw ProblemException.conflict(
            "location " + id + " already exists", Map.of("location_id", id));
      }
      throw e;
    }
    Map<String, Object> created = new LinkedHashMap<>();
    created.put("location_id", id);
    created.put("label", label);
    ctx.status(201).header("Location", "/v1/locations/" + id).json(created);
  }

  public void assign(Context ctx) throws Exception {
    callers.require(ctx, MANAGERS);
    String locationId = ctx.pathParam("location_id");
    ServiceHttp.auditDetail(ctx, "target", locationId);
    JsonNode body = Bodies.json(ctx, json);
    UUID userId = Bodies.uuid(body.path("user_id").asText(""), "user_id");
    Instant from = Bodies.instant(body.path("valid_from").asText(null), "valid_from");
    Instant to =
        body.hasNonNull("valid_to")
            ? Bodies.instant(body.get("valid_to").asText(), "valid_to")
            : null;
    if (to != null && !to.isAfter(from)) {
      throw ProblemException.badRequest("valid_to must be after valid_from");
    }
    Assignment assignment;
    try (Connection connection = database.connection()) {
      if (!locations.locationExists(connection, locationId)) {
        throw ProblemException.notFound(
            "no location " + locationId + "; create it with POST /v1/locations");
      }
      var user =
          users
              .find(connection, userId)
              .orElseThrow(() -> ProblemException.notFound("no person with id " + userId));
      assignment = new Assignment(UUID.randomUUID(), locationId, userId, from, to, user.timeZone());
      try {
        locations.insertAssignment(connection, assignment);
      } catch (SQLException e) {
        if (LocationStore.EXCLUSION_VIOLATION.equals(e.getSQLState())) {
          Optional<Assignment> other = locations.overlapping(connection, locationId, from, to);
          Map<String, Object> conflicting = new LinkedHashMap<>();
          other.ifPresent(
              a -> {
                conflicting.put("assignment_id", a.id().toString());
                conflicting.put("user_id", a.userId().toString());
                conflicting.put("valid_from", a.validFrom().toString());
                conflicting.put("valid_to", a.validTo() == null ? null : a.validTo().toString());
              });
          throw ProblemException.conflict(
              "location "
                  + locationId
                  + " already has a person in that period"
                  + other
                      .map(
                          a ->
                              ": assignment "
                                  + a.id()
                                  + " from "
                                  + a.validFrom()
                                  + (a.validTo() == null ? " on" : " to " + a.validTo()))
                      .orElse(""),
              Map.of("conflicting_assignment", conflicting));
        }
        throw e;
      }
    }
    cache.invalidateLocation(locationId);
    ctx.status(201).json(assignment);
  }

  private List<UUID> caredFor(UUID caregiver) throws java.sql.SQLException {
    try (Connection connection = database.connection()) {
      return care.caredForBy(connection, caregiver);
    }
  }

  public void list(Context ctx) throws Exception {
    callers.require(ctx, ASSIGNMENT_READERS);
    String locationId = ctx.pathParam("location_id");
    ServiceHttp.auditDetail(ctx, "target", locationId);
    String at = ctx.queryParam("at");
    Instant instant = at == null ? null : Bodies.instant(at, "at");
    List<Assignment> all;
    Optional<String> cached = cache.assignments(locationId);
    if (cached.isPresent()) {
      metrics.counter("saam_cache_requests", "cache", "location", "result", "hit").increment();
      ctx.header("X-Cache", "hit");
      all = json.readValue(cached.get(), new TypeReference<List<Assignment>>() {});
    } else {
      metrics.counter("saam_cache_requests", "cache", "location", "result", "miss").increment();
      ctx.header("X-Cache", "miss");
      try (Connection connection = database.connection()) {
        if (!locations.locationExists(connection, locationId)) {
          throw ProblemException.notFound("no location " + locationId);
        }
        all = locations.assignments(connection, locationId);
      }
      cache.putAssignments(locationId, json.writeValueAsString(all));
    }
    List<Assignment> visible = all;
    VerifiedToken caller = ctx.attribute(Callers.ATTRIBUTE);
    if (caller != null
        && !caller.hasRole("admin")
        && !caller.hasRole("operator")
        && !caller.hasRole(RealmNames.ASSIGNMENT_READER)) {
      // A caregiver: only the assignments of the people they care for, nothing of anyone else.
      UUID self = CareHandlers.callerId(caller);
      java.util.Set<UUID> theirs =
          new java.util.HashSet<>(self == null ? List.of() : caredFor(self));
      visible = all.stream().filter(a -> !a.erased() && theirs.contains(a.userId())).toList();
      if (visible.isEmpty()) {
        throw new ProblemException(
            403,
            "Forbidden",
            "caregivers see only the homes of the people they care for; nobody you care for was"
                + " assigned to "
                + locationId);
      }
    }
    ctx.json(instant == null ? visible : visible.stream().filter(a -> a.covers(instant)).toList());
  }
}
