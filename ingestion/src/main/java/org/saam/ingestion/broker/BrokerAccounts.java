package org.saam.ingestion.broker;

import java.io.IOException;
import java.util.Map;
import org.saam.common.broker.ManagementApi;
import org.saam.common.broker.Topics;

/**
 * The broker's own service accounts, each with the least it needs, and the removal of RabbitMQ's
 * default {@code guest} account. Applied by {@code topology} on every start (idempotent).
 *
 * <ul>
 *   <li>{@value #PIPELINE}: the Flink job. Reads the readings queues, publishes to {@code
 *       amq.topic} only under people's coaching topics, configures nothing.
 *   <li>{@value #SIMULATOR} (local stack only): the simulator and the demo, a gateway for every
 *       home: may publish any home's readings topic and nothing else.
 * </ul>
 *
 * <p>Administrators (the broker's management user) and gateways ({@link GatewayAccounts}) are the
 * other accounts; app accounts of people are managed by the user service. No account is anonymous:
 * the MQTT listener refuses connections without credentials.
 */
public final class BrokerAccounts {
  /** The pipeline's broker user. */
  public static final String PIPELINE = "saam-pipeline";

  /** The local stack's simulator user. */
  public static final String SIMULATOR = "saam-simulator";

  /** RabbitMQ's default user, removed: known password, and usable over MQTT as anybody. */
  public static final String GUEST = "guest";

  private final ManagementApi api;
  private final String virtualHost;

  public BrokerAccounts(ManagementApi api, String virtualHost) {
    this.api = api;
    this.virtualHost = virtualHost;
  }

  /** Creates or updates the pipeline's account with this password. */
  public void ensurePipeline(String password) throws IOException, InterruptedException {
    ensure(
        PIPELINE,
        password,
        Map.of("configure", "^$", "write", "^amq\\.topic$", "read", "^saam\\.readings(\\..+)?$"),
        Map.of(
            "exchange",
            BrokerTopology.MQTT_EXCHANGE,
            "write",
            "^" + Topics.COACHING_ROUTING_KEY_PATTERN + "$",
            "read",
            "^$"));
  }

  /** Creates or updates the simulator's account with this password (local stack only). */
  public void ensureSimulator(String password) throws IOException, InterruptedException {
    ensure(
        SIMULATOR,
        password,
        Map.of(
            "configure", "^mqtt-subscription-" + SIMULATOR + ".*$",
            "write", "^(amq\\.topic|mqtt-subscription-" + SIMULATOR + ".*)$",
            "read", "^(amq\\.topic|mqtt-subscription-" + SIMULATOR + ".*)$"),
        Map.of(
            "exchange",
            BrokerTopology.MQTT_EXCHANGE,
            "write",
            "^" + Topics.READINGS_ROUTING_KEY_PATTERN + "$",
            "read",
            "^$"));
  }

  /**
   * Deletes {@code guest} if it exists, unless it is the account making this call.
   *
   * @return whether it was deleted
   */
  public boolean removeGuest(String callingUser) throws IOException, InterruptedException {
    if (GUEST.equals(callingUser)) {
      return false;
    }
    return api.delete("users/" + GUEST);
  }

  private void ensure(
      String user,
      String password,
      Map<String, String> permissions,
      Map<String, String> topicPermissions)
      throws IOException, InterruptedException {
    if (password == null || password.length() < 12) {
      throw new IllegalArgumentException(
          "the password of broker user " + user + " must have at least 12 characters");
    }
    String name = ManagementApi.segment(user);
    String vhost = ManagementApi.segment(virtualHost);
    api.put("users/" + name, Map.of("password", password, "tags", ""));
    api.put("permissions/" + vhost + "/" + name, permissions);
    api.put("topic-permissions/" + vhost + "/" + name, topicPermissions);
  }
}
