package org.saam.users.accounts;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.saam.common.broker.ManagementApi;
import org.saam.common.broker.Topics;

/**
 * Broker accounts of people's apps. The app of person {@code <user_id>} logs in to MQTT as {@code
 * app-<user_id>} and may subscribe to exactly its own coaching topic, {@code
 * saam/users/<user_id>/coaching}: its topic permission reads only that routing key and writes
 * nothing, and it may configure only MQTT subscription queues of client ids that start with its
 * user name. It cannot publish anywhere, nor read another person's events.
 *
 * <p>Issuing credentials again replaces the password (the old one stops working); erasing the
 * person deletes the account and closes its connections.
 */
public final class BrokerAppAccounts {
  /** Prefix of every app's broker user name. */
  public static final String USER_PREFIX = "app-";

  private static final String EXCHANGE = "amq.topic";

  private final ManagementApi api;
  private final String virtualHost;
  private final SecureRandom random = new SecureRandom();

  public BrokerAppAccounts(ManagementApi api, String virtualHost) {
    this.api = api;
    this.virtualHost = virtualHost;
  }

  /** What the app needs to connect; the password is shown once. */
  public record Credentials(String username, String password, String topic, String clientIdPrefix) {
    @Override
    public String toString() {
      return "Credentials[" + username + ", password hidden]";
    }
  }

  /** The broker user of a person's app. */
  public static String userOf(UUID userId) {
    return USER_PREFIX + userId;
  }

  /** Creates the app account of a person, or gives it a new password. */
  public Credentials issue(UUID userId) throws IOException, InterruptedException {
    String user = userOf(userId);
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String name = ManagementApi.segment(user);
    String vhost = ManagementApi.segment(virtualHost);
    String queues = "mqtt-subscription-" + user.replace("-", "\\-") + ".*";
    api.put("users/" + name, Map.of("password", password, "tags", ""));
    api.put(
        "permissions/" + vhost + "/" + name,
        Map.of(
            "configure", "^" + queues + "$",
            "write", "^" + queues + "$",
            "read", "^(amq\\.topic|" + queues + ")$"));
    String routingKey = Topics.coachingRoutingKey(userId.toString()).replace(".", "\\.");
    api.put(
        "topic-permissions/" + vhost + "/" + name,
        Map.of("exchange", EXCHANGE, "write", "^$", "read", "^" + routingKey + "$"));
    api.closeConnectionsOf(user);
    return new Credentials(user, password, Topics.coachingTopic(userId.toString()), user);
  }

  /**
   * Deletes the app account of a person and closes its connections.
   *
   * @return whether there was one
   */
  public boolean revoke(UUID userId) throws IOException, InterruptedException {
    String user = userOf(userId);
    boolean existed = api.delete("users/" + ManagementApi.segment(user));
    api.closeConnectionsOf(user);
    return existed;
  }
}
