package org.saam.users.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.saam.common.realm.RealmNames;
import org.saam.common.records.Assignment;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.servicekit.ServiceHttp;
import org.saam.servicekit.http.BoundedBody;
import org.saam.servicekit.http.ProblemException;
import org.saam.users.accounts.BrokerAppAccounts;
import org.saam.users.accounts.KeycloakAccounts;
import org.saam.users.cache.PeopleCache;
import org.saam.users.erasure.ErasureService;
import org.saam.users.store.CareStore;
import org.saam.users.store.Database;
import org.saam.users.store.User;
import org.saam.users.store.UserStore;

/**
 * {@code /v1/users}: profiles (administrators manage everyone, participants read and change only
 * their own), photos, and erasure.
 */
public final class PeopleHandlers {
  private static final Map<String, byte[]> PHOTO_SIGNATURES =
      Map.of(
          "image/jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
          "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'},
          "image/webp", new byte[] {'R', 'I', 'F', 'F'});

  private final Database database;
  private final UserStore users;
  private final PeopleCache cache;
  private final KeycloakAccounts accounts;
  private final ErasureService erasure;
  private final Callers callers;
  private final ObjectMapper json;
  private final MeterRegistry metrics;
  private final int photoMaxBytes;
  private final BrokerAppAccounts appAccounts;

  /**
   * @param appAccounts people's app accounts on the broker, or {@code null} when the broker's
   *     administration is not configured (issuing app credentials then answers 503)
   */
  private final CareStore care;

  public PeopleHandlers(
      Database database,
      UserStore users,
      PeopleCache cache,
      KeycloakAccounts accounts,
      ErasureService erasure,
      Callers callers,
      ObjectMapper json,
      MeterRegistry metrics,
      int photoMaxBytes,
      BrokerAppAccounts appAccounts,
      CareStore care) {
    this.care = care;
    this.database = database;
    this.users = users;
    this.cache = cache;
    this.accounts = accounts;
    this.erasure = erasure;
    this.callers = callers;
    this.json = json;
    this.metrics = metrics;
    this.photoMaxBytes = photoMaxBytes;
    this.appAccounts = appAccounts;
  }

  /**
   * {@code POST /v1/users/{id}/app-credentials}: the broker account of the person's app, which may
   * subscribe to their own coaching topic only. Issued to the person or an administrator; a new
   * call replaces the password.
   */
  public void issueAppCredentials(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID id = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", id.toString());
    requireSelfOrAdmin(caller, load(id));
    if (appAccounts == null) {
      throw new ProblemException(
          503,
          "Broker administration not configured",
          "this user service has no broker administrator (SAAM_RABBITMQ_PASSWORD), so it cannot"
              + " issue app accounts");
    }
    BrokerAppAccounts.Credentials credentials;
    try {
      credentials = appAccounts.issue(id);
    } catch (java.io.IOException e) {
      throw new ProblemException(
          502,
          "Broker unavailable",
          "the broker could not create the app account: " + e.getMessage());
    }
    Map<String, Object> answer = new java.util.LinkedHashMap<>();
    answer.put("username", credentials.username());
    answer.put("password", credentials.password());
    answer.put("topic", credentials.topic());
    answer.put("client_id_prefix", credentials.clientIdPrefix());
    answer.put(
        "note",
        "the password is shown only now; MQTT 3.1.1 over TLS, QoS 1, client id starting with"
            + " client_id_prefix");
    ctx.status(201).json(answer);
  }

  public void create(Context ctx) throws Exception {
    callers.require(ctx, "admin");
    JsonNode body = Bodies.json(ctx, json);
    UUID id = UUID.randomUUID();
    User blank = new User(id, null, null, null, null, null, null, null, true, false, null, null);
    User user = ProfileInput.apply(body, blank, true, true);
    String role = body.path("role").asText("participant");
    if (!role.equals("participant") && !role.equals("caregiver")) {
      throw ProblemException.badRequest(
          "role must be 'participant' or 'caregiver', was '" + role + "'");
    }
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try {
        users.insert(connection, user);
      } catch (SQLException e) {
        connection.rollback();
        throw uniqueEmail(e, user);
      }
      String keycloakId;
      try {
        keycloakId = accounts.create(user, role);
      } catch (RuntimeException e) {
        connection.rollback();
        throw new ProblemException(
            502,
            "Identity provider refused",
            "Keycloak did not create the account: " + e.getMessage());
      }
      User withAccount =
          new User(
              id,
              user.displayName(),
              user.birthYear(),
              user.timeZone(),
              user.locale(),
              user.email(),
              user.phone(),
              keycloakId,
              user.enabled(),
              false,
              null,
              null);
      users.update(connection, withAccount);
      connection.commit();
      ServiceHttp.auditDetail(ctx, "target", id.toString());
      ctx.status(201).header("Location", "/v1/users/" + id);
      ctx.json(users.find(connection, id).orElseThrow());
    }
  }

  public void read(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID id = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", id.toString());
    Optional<String> cached = cache.user(id);
    String profile;
    if (cached.isPresent()) {
      metrics.counter("saam_cache_requests", "cache", "user", "result", "hit").increment();
      ctx.header("X-Cache", "hit");
      profile = cached.get();
    } else {
      metrics.counter("saam_cache_requests", "cache", "user", "result", "miss").increment();
      ctx.header("X-Cache", "miss");
      User user = load(id);
      profile = json.writeValueAsString(user);
      cache.putUser(id, profile);
    }
    User user = json.readValue(profile, User.class);
    requireReader(caller, user);
    ctx.contentType("application/json").result(profile);
  }

  public void update(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID id = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", id.toString());
    JsonNode body = Bodies.json(ctx, json);
    User current = load(id);
    requireSelfOrAdmin(caller, current);
    User changed = ProfileInput.apply(body, current, false, caller.hasRole("admin"));
    try (Connection connection = database.connection()) {
      try {
        users.update(connection, changed);
      } catch (SQLException e) {
        throw uniqueEmail(e, changed);
      }
      if (changed.keycloakId() != null) {
        accounts.update(changed);
      }
      // The person's time zone travels with their assignments: refresh those too.
      cache.evictUser(id);
      for (Assignment assignment : users.assignmentsOf(connection, id)) {
        cache.invalidateLocation(assignment.locationId());
      }
      ctx.json(users.find(connection, id).orElseThrow());
    }
  }

  public void delete(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx, "admin");
    UUID id = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", id.toString());
    if (!"true".equals(ctx.queryParam("erase"))) {
      throw ProblemException.badRequest(
          "deleting a person erases them everywhere: send DELETE /v1/users/"
              + id
              + "?erase=true; to stop their access instead, PATCH {\"enabled\": false}");
    }
    var receipt = erasure.erase(id, caller.actor());
    if (receipt.isEmpty()) {
      throw ProblemException.notFound("no person and no erasure with id " + id);
    }
    ctx.json(receipt.get());
  }

  /**
   * Every erased person's id with the time the erasure was asked for, oldest first: what a starting
   * pipeline reads so that no state of an erased person survives a restart. Admins and the
   * pipeline's account ({@code assignment-reader}).
   */
  public void erasures(Context ctx) throws Exception {
    callers.require(ctx, "admin", RealmNames.ASSIGNMENT_READER);
    ctx.json(erasure.erasedPeople());
  }

  public void uploadPhoto(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID id = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", id.toString());
    User user = load(id);
    requireSelfOrAdmin(caller, user);
    String type = String.valueOf(ctx.contentType()).split(";")[0].trim();
    byte[] signature = PHOTO_SIGNATURES.get(type);
    if (signature == null) {
      throw new ProblemException(
          415,
          "Unsupported photo type",
          "send the photo as image/jpeg, image/png or image/webp, not '" + type + "'");
    }
    byte[] photo = BoundedBody.read(ctx, photoMaxBytes, "the photo");
    if (!startsWith(photo, signature)) {
      throw new ProblemException(
          415, "Unsupported photo type", "the bytes are not a " + type + " image");
    }
    try (Connection connection = database.connection()) {
      users.setPhoto(connection, id, photo, type);
    }
    cache.evictUser(id);
    ctx.status(204);
  }

  public void readPhoto(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID id = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", id.toString());
    requireReader(caller, load(id));
    try (Connection connection = database.connection()) {
      Object[] photo =
          users
              .photo(connection, id)
              .orElseThrow(() -> ProblemException.notFound("person " + id + " has no photo"));
      ctx.contentType((String) photo[1]).result((byte[]) photo[0]);
    }
  }

  private User load(UUID id) throws SQLException {
    try (Connection connection = database.connection()) {
      return users
          .find(connection, id)
          .orElseThrow(() -> ProblemException.notFound("no person with id " + id));
    }
  }

  /** The person, an administrator, or a caregiver who cares for the person. */
  private void requireReader(VerifiedToken caller, User user) throws SQLException {
    boolean self = caller.subject().equals(user.keycloakId());
    if (self || caller.hasRole("admin")) {
      return;
    }
    try (Connection connection = database.connection()) {
      if (CareHandlers.caregiverMayRead(care, connection, caller, user.id())) {
        return;
      }
    }
    throw new ProblemException(
        403,
        "Forbidden",
        caller.hasRole("caregiver")
            ? "caregivers may read only the people they care for"
            : "participants may read and change only their own profile");
  }

  private static void requireSelfOrAdmin(VerifiedToken caller, User user) {
    boolean self = caller.subject().equals(user.keycloakId());
    if (!self && !caller.hasRole("admin")) {
      throw new ProblemException(
          403, "Forbidden", "participants may read and change only their own profile");
    }
  }

  private static ProblemException uniqueEmail(SQLException e, User user) {
    if ("23505".equals(e.getSQLState())) {
      return ProblemException.conflict(
          "another person already has the e-mail address " + user.email(), Map.of());
    }
    return new ProblemException(500, "Database error", e.getMessage());
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
