package org.saam.users.http;

import io.javalin.http.Context;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.servicekit.ServiceHttp;
import org.saam.servicekit.http.ProblemException;
import org.saam.users.accounts.KeycloakAccounts;
import org.saam.users.store.CareStore;
import org.saam.users.store.Database;
import org.saam.users.store.User;
import org.saam.users.store.UserStore;

/**
 * The care relation: which caregiver cares for which person. Administrators manage it; a caregiver
 * sees only the people it names ({@link #caregiverMayRead}), in this service and, through the
 * {@code saam_cares_for} claim this class keeps in the caregiver's account, in feature-views.
 */
public final class CareHandlers {
  private final Database database;
  private final UserStore users;
  private final CareStore care;
  private final KeycloakAccounts accounts;
  private final Callers callers;

  public CareHandlers(
      Database database,
      UserStore users,
      CareStore care,
      KeycloakAccounts accounts,
      Callers callers) {
    this.database = database;
    this.users = users;
    this.care = care;
    this.accounts = accounts;
    this.callers = callers;
  }

  /** {@code PUT /v1/users/{id}/caregivers/{caregiver_id}}: admins. */
  public void add(Context ctx) throws Exception {
    callers.require(ctx, "admin");
    UUID person = Bodies.uuid(ctx.pathParam("id"), "user id");
    UUID caregiver = Bodies.uuid(ctx.pathParam("caregiver_id"), "caregiver id");
    ServiceHttp.auditDetail(ctx, "target", person.toString());
    if (person.equals(caregiver)) {
      throw ProblemException.badRequest("a person cannot be their own caregiver");
    }
    boolean created;
    try (Connection connection = database.connection()) {
      load(connection, person);
      User carer = load(connection, caregiver);
      if (carer.keycloakId() == null || !accounts.hasRole(carer.keycloakId(), "caregiver")) {
        throw ProblemException.conflict(
            "person " + caregiver + " does not have the caregiver role", Map.of());
      }
      created = care.add(connection, caregiver, person);
      syncClaim(connection, carer);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("caregiver_id", caregiver.toString());
    body.put("user_id", person.toString());
    ctx.status(created ? 201 : 200).json(body);
  }

  /** {@code DELETE /v1/users/{id}/caregivers/{caregiver_id}}: admins. */
  public void remove(Context ctx) throws Exception {
    callers.require(ctx, "admin");
    UUID person = Bodies.uuid(ctx.pathParam("id"), "user id");
    UUID caregiver = Bodies.uuid(ctx.pathParam("caregiver_id"), "caregiver id");
    ServiceHttp.auditDetail(ctx, "target", person.toString());
    try (Connection connection = database.connection()) {
      if (!care.remove(connection, caregiver, person)) {
        throw ProblemException.notFound(caregiver + " is not a caregiver of " + person);
      }
      syncClaim(connection, load(connection, caregiver));
    }
    ctx.status(204);
  }

  /** {@code GET /v1/users/{id}/caregivers}: admins and the person. */
  public void caregivers(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID person = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", person.toString());
    requireSelfOrAdmin(caller, person);
    try (Connection connection = database.connection()) {
      load(connection, person);
      ctx.json(
          Map.of(
              "user_id", person.toString(), "caregivers", care.caregiversOf(connection, person)));
    }
  }

  /** {@code GET /v1/users/{id}/cared-for}: admins and the caregiver. */
  public void caredFor(Context ctx) throws Exception {
    VerifiedToken caller = callers.require(ctx);
    UUID caregiver = Bodies.uuid(ctx.pathParam("id"), "user id");
    ServiceHttp.auditDetail(ctx, "target", caregiver.toString());
    requireSelfOrAdmin(caller, caregiver);
    try (Connection connection = database.connection()) {
      load(connection, caregiver);
      ctx.json(
          Map.of(
              "caregiver_id", caregiver.toString(),
              "cared_for", care.caredForBy(connection, caregiver)));
    }
  }

  /**
   * Whether the caller may read the person as their caregiver: the caller has the caregiver role
   * and a care relation to the person.
   */
  public static boolean caregiverMayRead(
      CareStore care, Connection connection, VerifiedToken caller, UUID person)
      throws SQLException {
    UUID self = callerId(caller);
    return self != null && caller.hasRole("caregiver") && care.cares(connection, self, person);
  }

  /** The caller's user-service id (claim saam_user_id), or {@code null}. */
  static UUID callerId(VerifiedToken caller) {
    try {
      return caller.saamUserId() == null ? null : UUID.fromString(caller.saamUserId());
    } catch (IllegalArgumentException e) {
      return null; // a claim that names no person gives no access as that person
    }
  }

  private static void requireSelfOrAdmin(VerifiedToken caller, UUID id) {
    if (!caller.hasRole("admin") && !id.equals(callerId(caller))) {
      throw new ProblemException(
          403, "Forbidden", "only administrators and the person themselves may list this");
    }
  }

  /** Rewrites the caregiver's claim from the table (the table is the truth). */
  private void syncClaim(Connection connection, User caregiver) throws SQLException {
    if (caregiver.keycloakId() != null) {
      List<UUID> people = care.caredForBy(connection, caregiver.id());
      accounts.setCaresFor(caregiver.keycloakId(), people);
    }
  }

  private User load(Connection connection, UUID id) throws SQLException {
    return users
        .find(connection, id)
        .orElseThrow(() -> ProblemException.notFound("no person with id " + id));
  }
}
