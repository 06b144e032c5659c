package org.saam.users.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.saam.common.records.Assignment;

/** SQL of the {@code users} table. Methods take a connection so callers can span transactions. */
public final class UserStore {
  private static final String COLUMNS =
      "id, display_name, birth_year, time_zone, locale, email, phone, keycloak_id, enabled,"
          + " photo IS NOT NULL AS has_photo, created_at, updated_at";

  public void insert(Connection connection, User user) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO users (id, display_name, birth_year, time_zone, locale, email, phone,"
                + " keycloak_id, enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      statement.setObject(1, user.id());
      statement.setString(2, user.displayName());
      setInteger(statement, 3, user.birthYear());
      statement.setString(4, user.timeZone());
      statement.setString(5, user.locale());
      statement.setString(6, user.email());
      statement.setString(7, user.phone());
      statement.setString(8, user.keycloakId());
      statement.setBoolean(9, user.enabled());
      statement.executeUpdate();
    }
  }

  public Optional<User> find(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE id = ?")) {
      statement.setObject(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(read(rows)) : Optional.empty();
      }
    }
  }

  public Optional<User> findByKeycloakId(Connection connection, String keycloakId)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE keycloak_id = ?")) {
      statement.setString(1, keycloakId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(read(rows)) : Optional.empty();
      }
    }
  }

  /** Writes every profile field of {@code user} (not the photo); returns whether it existed. */
  public boolean update(Connection connection, User user) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE users SET display_name = ?, birth_year = ?, time_zone = ?, locale = ?,"
                + " email = ?, phone = ?, keycloak_id = ?, enabled = ?, updated_at = now()"
                + " WHERE id = ?")) {
      statement.setString(1, user.displayName());
      setInteger(statement, 2, user.birthYear());
      statement.setString(3, user.timeZone());
      statement.setString(4, user.locale());
      statement.setString(5, user.email());
      statement.setString(6, user.phone());
      statement.setString(7, user.keycloakId());
      statement.setBoolean(8, user.enabled());
      statement.setObject(9, user.id());
      return statement.executeUpdate() == 1;
    }
  }

  public void setPhoto(Connection connection, UUID id, byte[] photo, String type)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE users SET photo = ?, photo_type = ?, updated_at = now() WHERE id = ?")) {
      statement.setBytes(1, photo);
      statement.setString(2, type);
      statement.setObject(3, id);
      statement.executeUpdate();
    }
  }

  /** The photo and its media type, if the person has one. */
  public Optional<Object[]> photo(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT photo, photo_type FROM users WHERE id = ? AND photo IS NOT NULL")) {
      statement.setObject(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next()
            ? Optional.of(new Object[] {rows.getBytes(1), rows.getString(2)})
            : Optional.empty();
      }
    }
  }

  public int delete(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("DELETE FROM users WHERE id = ?")) {
      statement.setObject(1, id);
      return statement.executeUpdate();
    }
  }

  public List<Assignment> assignmentsOf(Connection connection, UUID userId) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT a.id, a.location_id, a.user_id, a.valid_from, a.valid_to, u.time_zone"
                + " FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.user_id = ?"
                + " ORDER BY a.valid_from")) {
      statement.setObject(1, userId);
      try (ResultSet rows = statement.executeQuery()) {
        List<Assignment> assignments = new ArrayList<>();
        while (rows.next()) {
          assignments.add(LocationStore.readAssignment(rows));
        }
        return assignments;
      }
    }
  }

  private static User read(ResultSet rows) throws SQLException {
    return new User(
        rows.getObject("id", UUID.class),
        rows.getString("display_name"),
        rows.getObject("birth_year", Integer.class),
        rows.getString("time_zone"),
        rows.getString("locale"),
        rows.getString("email"),
        rows.getString("phone"),
        rows.getString("keycloak_id"),
        rows.getBoolean("enabled"),
        rows.getBoolean("has_photo"),
        instant(rows.getTimestamp("created_at")),
        instant(rows.getTimestamp("updated_at")));
  }

  static java.time.Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  private static void setInteger(PreparedStatement statement, int index, Integer value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value);
    }
  }
}
