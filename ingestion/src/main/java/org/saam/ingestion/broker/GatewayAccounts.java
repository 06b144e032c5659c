package org.saam.ingestion.broker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.saam.common.broker.ManagementApi;
import org.saam.common.broker.Topics;
import org.saam.common.codec.ReadingBatchCodec;

/**
 * Broker accounts of home gateways. Gateway {@code gw-<location_id>} may publish only to its own
 * home's readings topic: its topic permission on {@code amq.topic} allows writing exactly the
 * routing key {@code saam.<location_id>.readings} and reading nothing, so it can neither publish
 * nor subscribe to people's coaching topics (see {@link Topics}). It can configure and read only
 * its own MQTT subscription queues, so it can never consume another home's data.
 */
public final class GatewayAccounts {
  /** Prefix of every gateway's broker user name. */
  public static final String USER_PREFIX = "gw-";

  private static final String EXCHANGE = "amq.topic";

  private final ManagementApi api;
  private final String virtualHost;
  private final SecureRandom random = new SecureRandom();

  public GatewayAccounts(ManagementApi api, String virtualHost) {
    this.api = api;
    this.virtualHost = virtualHost;
  }

  /** A gateway's broker credentials. Shown once, at creation; the broker keeps only a hash. */
  public record Credentials(String locationId, String username, String password) {
    @Override
    public String toString() {
      return "Credentials[" + username + ", password hidden]";
    }
  }

  /** The broker user of a location's gateway. */
  public static String userOf(String locationId) {
    return USER_PREFIX + locationId;
  }

  /**
   * Creates the gateway account of a location with a new random password.
   *
   * @throws IllegalArgumentException if the location id is not valid
   * @throws IllegalStateException if the gateway already has an account
   */
  public Credentials add(String locationId) throws IOException, InterruptedException {
    requireValid(locationId);
    String user = userOf(locationId);
    if (api.get("users/" + ManagementApi.segment(user)) != null) {
      throw new IllegalStateException(
          "gateway "
              + user
              + " already exists; remove it first to issue new credentials"
              + " (the old password stops working at once)");
    }
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    api.put("users/" + ManagementApi.segment(user), Map.of("password", password, "tags", ""));
    grant(user, locationId);
    return new Credentials(locationId, user, password);
  }

  /**
   * Applies the current permissions to every existing gateway account, so that accounts created by
   * an older version (which allowed any routing key under the home) lose what they no longer need.
   *
   * @return how many accounts were updated
   */
  public int reapplyPermissions() throws IOException, InterruptedException {
    int updated = 0;
    for (String locationId : list()) {
      if (Topics.isUsableLocationId(locationId)) {
        grant(userOf(locationId), locationId);
        updated++;
      }
    }
    return updated;
  }

  private void grant(String user, String locationId) throws IOException, InterruptedException {
    String vhost = ManagementApi.segment(virtualHost);
    api.put(
        "permissions/" + vhost + "/" + ManagementApi.segment(user),
        Map.of(
            "configure", "^mqtt-subscription-" + user + ".*$",
            "write", "^(amq\\.topic|mqtt-subscription-" + user + ".*)$",
            "read", "^(amq\\.topic|mqtt-subscription-" + user + ".*)$"));
    api.put(
        "topic-permissions/" + vhost + "/" + ManagementApi.segment(user),
        Map.of(
            "exchange",
            EXCHANGE,
            "write",
            "^" + Topics.readingsRoutingKey(locationId).replace(".", "\\.") + "$",
            "read",
            "^$"));
  }

  /**
   * Revokes a gateway: deletes its account (with its permissions) and closes its open connections.
   *
   * @return {@code false} if there was no such gateway
   */
  public boolean remove(String locationId) throws IOException, InterruptedException {
    requireValid(locationId);
    String user = userOf(locationId);
    boolean existed = api.delete("users/" + ManagementApi.segment(user));
    api.closeConnectionsOf(user);
    return existed;
  }

  /** Location ids of every gateway with an account, sorted. */
  public List<String> list() throws IOException, InterruptedException {
    List<String> locations = new ArrayList<>();
    JsonNode users = api.get("users");
    if (users != null) {
      for (JsonNode user : users) {
        String name = user.path("name").asText();
        if (name.startsWith(USER_PREFIX)) {
          locations.add(name.substring(USER_PREFIX.length()));
        }
      }
    }
    locations.sort(null);
    return locations;
  }

  private static void requireValid(String locationId) {
    if (Topics.RESERVED_LOCATION_ID.equals(locationId)) {
      throw new IllegalArgumentException(
          "location id '"
              + locationId
              + "' is reserved: saam/users/... is the namespace of people's coaching topics");
    }
    if (locationId == null || !ReadingBatchCodec.IDENTIFIER.matcher(locationId).matches()) {
      throw new IllegalArgumentException(
          "location id '"
              + locationId
              + "' is not valid: lower-case letters, digits and '-', at most 63, no dots");
    }
  }
}
