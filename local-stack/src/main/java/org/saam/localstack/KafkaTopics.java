package org.saam.localstack;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the platform's Kafka topics on the local broker (the job never creates topics). */
final class KafkaTopics {
  private KafkaTopics() {}

  /** Creates topic {@code name} unless it exists; returns what happened, for the log. */
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
    try (Admin admin = Admin.create(props)) {
      NewTopic topic =
          new NewTopic(name, partitions, (short) 1)
              .configs(Map.of("retention.ms", String.valueOf(retentionDays * 86_400_000L)));
      admin.createTopics(List.of(topic)).all().get();
      return "created topic " + name + " (" + partitions + " partitions)";
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return "topic " + name + " exists";
      }
      throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e);
    }
  }
}
