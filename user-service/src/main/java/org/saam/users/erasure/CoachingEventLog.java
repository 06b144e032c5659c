package org.saam.users.erasure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.saam.common.broker.Topics;

/**
 * The coaching-events topic as erasure sees it. Every event has its own key, {@code
 * <user_id>/<event_id>} ({@link Topics#coachingEventKey}), and the topic is compacted ({@link
 * Topics#COACHING_EVENTS_TOPIC_CONFIG}): erasing a person writes a tombstone (a record without a
 * value) for each of their keys whose latest record still has a value, in the partition it was
 * found in. Consumers that read the topic as a table drop those events at once; compaction removes
 * the records themselves within {@code max.compaction.lag.ms}.
 *
 * <p>Why this design (and not per-person encryption keys destroyed at erasure): consumers keep
 * reading plain JSON with no key service in their path, and what remains after compaction is
 * nothing at all rather than ciphertext whose safety rests on a key really having been destroyed
 * everywhere. The price: one key per event instead of {@code user_id}, so records are placed by
 * {@code user_id} explicitly (order per person is kept), and removal is bounded by the compaction
 * lag (a day), not immediate.
 */
public final class CoachingEventLog implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;

  public CoachingEventLog(String bootstrap, String topic) {
    this.topic = topic;
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "user-service-erasure");
    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "user-service-erasure");
    producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
    this.consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
    this.producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Writes a tombstone for every event of the person that has none yet; answers how many. Running
   * it again writes nothing more (idempotent).
   *
   * @throws IOException when Kafka does not answer or the topic does not exist
   */
  public synchronized long erase(String userId) throws IOException {
    String prefix = userId + "/";
    Map<String, Integer> live = new HashMap<>(); // key -> partition, while its latest has a value
    try {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new IOException("Kafka topic " + topic + " does not exist");
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IOException("reading " + topic + " to its end took over 5 minutes");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key() != null && record.key().startsWith(prefix)) {
            if (record.value() == null) {
              live.remove(record.key());
            } else {
              live.put(record.key(), record.partition());
            }
          }
        }
      }
      List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
      live.forEach(
          (key, partition) ->
              sent.add(producer.send(new ProducerRecord<>(topic, partition, key, null))));
      producer.flush();
      for (var future : sent) {
        future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
      return live.size();
    } catch (KafkaException | ExecutionException | TimeoutException e) {
      throw new IOException("Kafka: erasing coaching events of " + userId + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while erasing coaching events of " + userId, e);
    } finally {
      consumer.unsubscribe();
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
  }
}
