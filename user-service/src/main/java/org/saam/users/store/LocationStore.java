package org.saam.users.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.saam.common.records.Assignment;

/** SQL of {@code locations} and {@code assignments}. */
public final class LocationStore {
  /** SQLSTATE of a unique violation. */
  public static final String UNIQUE_VIOLATION = "23505";

  /** SQLSTATE of an exclusion-constraint violation (an overlapping assignment). */
  public static final String EXCLUSION_VIOLATION = "23P01";

  public void insertLocation(Connection connection, String id, String label) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("INSERT INTO locations (id, label) VALUES (?, ?)")) {
      statement.setString(1, id);
      statement.setString(2, label);
      statement.executeUpdate();
    }
  }

  public boolean locationExists(Connection connection, String id) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT 1 FROM locations WHERE id = ?")) {
      statement.setString(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  public void insertAssignment(Connection connection, Assignment assignment) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO assignments (id, location_id, user_id, valid_from, valid_to)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      statement.setObject(1, assignment.id());
      statement.setString(2, assignment.locationId());
      statement.setObject(3, assignment.userId());
      statement.setTimestamp(4, Timestamp.from(assignment.validFrom()));
      statement.setTimestamp(
          5, assignment.validTo() == null ? null : Timestamp.from(assignment.validTo()));
      statement.executeUpdate();
    }
  }

  /**
   * Every assignment of a location, oldest first, with each person's time zone, followed by the
   * periods of erased people ({@link Assignment#erasedPeriod}).
   */
  public List<Assignment> assignments(Connection connection, String locationId)
      throws SQLException {
    List<Assignment> assignments = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT a.id, a.location_id, a.user_id, a.valid_from, a.valid_to, u.time_zone"
                + " FROM assignments a JOIN users u ON u.id = a.user_id"
                + " WHERE a.location_id = ? ORDER BY a.valid_from")) {
      statement.setString(1, locationId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          assignments.add(readAssignment(rows));
        }
      }
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT valid_from, valid_to FROM erased_periods WHERE location_id = ?"
                + " ORDER BY valid_from")) {
      statement.setString(1, locationId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          assignments.add(
              Assignment.erasedPeriod(
                  locationId,
                  UserStore.instant(rows.getTimestamp(1)),
                  UserStore.instant(rows.getTimestamp(2))));
        }
      }
    }
    return assignments;
  }

  /**
   * Records an erased person's period at a location (closed at {@code erasedAt} when it was open);
   * a second call for the same period changes nothing.
   */
  public void insertErasedPeriod(
      Connection connection, String locationId, Instant from, Instant to, Instant erasedAt)
      throws SQLException {
    Instant end = to == null || to.isAfter(erasedAt) ? erasedAt : to;
    if (!end.isAfter(from)) {
      return; // assigned from a time after the erasure: no reading of theirs can exist
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO erased_periods (location_id, valid_from, valid_to) VALUES (?, ?, ?)"
                + " ON CONFLICT (location_id, valid_from) DO NOTHING")) {
      statement.setString(1, locationId);
      statement.setTimestamp(2, Timestamp.from(from));
      statement.setTimestamp(3, Timestamp.from(end));
      statement.executeUpdate();
    }
  }

  /** An existing assignment of the location that overlaps {@code [from, to)}, if any. */
  public Optional<Assignment> overlapping(
      Connection connection, String locationId, Instant from, Instant to) throws SQLException {
    return assignments(connection, locationId).stream()
        .filter(a -> !a.erased())
        .filter(
            a ->
                (to == null || a.validFrom().isBefore(to))
                    && (a.validTo() == null || a.validTo().isAfter(from)))
        .findFirst();
  }

  public int deleteAssignmentsOf(Connection connection, UUID userId) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("DELETE FROM assignments WHERE user_id = ?")) {
      statement.setObject(1, userId);
      return statement.executeUpdate();
    }
  }

  static Assignment readAssignment(ResultSet rows) throws SQLException {
    return new Assignment(
        rows.getObject(1, UUID.class),
        rows.getString(2),
        rows.getObject(3, UUID.class),
        UserStore.instant(rows.getTimestamp(4)),
        UserStore.instant(rows.getTimestamp(5)),
        rows.getString(6));
  }
}
