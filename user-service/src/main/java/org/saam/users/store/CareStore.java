package org.saam.users.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of {@code care_relations}: which caregiver cares for which person. */
public final class CareStore {

  /** Adds the relation; answers whether it is new (adding it twice changes nothing). */
  public boolean add(Connection connection, UUID caregiver, UUID person) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO care_relations (caregiver_id, person_id) VALUES (?, ?)"
                + " ON CONFLICT DO NOTHING")) {
      statement.setObject(1, caregiver);
      statement.setObject(2, person);
      return statement.executeUpdate() == 1;
    }
  }

  /** Removes the relation; answers whether there was one. */
  public boolean remove(Connection connection, UUID caregiver, UUID person) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "DELETE FROM care_relations WHERE caregiver_id = ? AND person_id = ?")) {
      statement.setObject(1, caregiver);
      statement.setObject(2, person);
      return statement.executeUpdate() == 1;
    }
  }

  /** Whether {@code caregiver} cares for {@code person}. */
  public boolean cares(Connection connection, UUID caregiver, UUID person) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT 1 FROM care_relations WHERE caregiver_id = ? AND person_id = ?")) {
      statement.setObject(1, caregiver);
      statement.setObject(2, person);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** The people {@code caregiver} cares for, in id order. */
  public List<UUID> caredForBy(Connection connection, UUID caregiver) throws SQLException {
    return ids(
        connection,
        "SELECT person_id FROM care_relations WHERE caregiver_id = ? ORDER BY person_id",
        caregiver);
  }

  /** The caregivers of {@code person}, in id order. */
  public List<UUID> caregiversOf(Connection connection, UUID person) throws SQLException {
    return ids(
        connection,
        "SELECT caregiver_id FROM care_relations WHERE person_id = ? ORDER BY caregiver_id",
        person);
  }

  /** Removes every relation the person is part of, either side; answers how many. */
  public int removeAllOf(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "DELETE FROM care_relations WHERE caregiver_id = ? OR person_id = ?")) {
      statement.setObject(1, id);
      statement.setObject(2, id);
      return statement.executeUpdate();
    }
  }

  private static List<UUID> ids(Connection connection, String sql, UUID id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        List<UUID> ids = new ArrayList<>();
        while (rows.next()) {
          ids.add(rows.getObject(1, UUID.class));
        }
        return ids;
      }
    }
  }
}
