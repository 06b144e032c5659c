package org.saam.localstack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.saam.common.broker.Topics;

/** Creates the platform's Kafka topics on the local broker (the job never creates topics). */
final class KafkaTopics {
  private KafkaTopics() {}

  /**
   * Creates topic {@code name} unless it exists, with the coaching-events configuration ({@link
   * Topics#COACHING_EVENTS_TOPIC_CONFIG}, retention as asked); an existing topic gets that
   * configuration set. Returns what happened, for the log.
   */
  static String ensure(String name, int partitions, long retentionDays, String bootstrap)
      throws InterruptedException {
    if (name == null || !name.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("kafka-topic needs --name with letters, digits, . _ -");
    }
    if (partitions < 1 || retentionDays < 1) {
      throw new IllegalArgumentException("--partitions and --retention-days must be at least 1");
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Map<String, String> configs = new HashMap<>(Topics.COACHING_EVENTS_TOPIC_CONFIG);
    configs.put("retention.ms", String.valueOf(retentionDays * 86_400_000L));
    try (Admin admin = Admin.create(props)) {
      try {
        admin
            .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
            .all()
            .get();
        return "created topic " + name + " (" + partitions + " partitions, " + configs + ")";
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "could not create topic " + name + ": " + e.getCause(), e);
        }
      }
      // A topic made by an earlier version: bring its configuration up to date.
      List<AlterConfigOp> ops = new ArrayList<>();
      configs.forEach(
          (key, value) ->
              ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
      try {
        admin
            .incrementalAlterConfigs(
                Map.of(new ConfigResource(ConfigResource.Type.TOPIC, name), ops))
            .all()
            .get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "topic " + name + " exists but its configuration could not be set: " + e.getCause(), e);
      }
      return "topic " + name + " exists; configuration set: " + configs;
    }
  }
}
