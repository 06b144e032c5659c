package org.saam.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A topic written to NDJSON and back: one line per record, {@code
 * {"partition","offset","timestamp","key","headers":{name: value},"value"}}, keys, header values
 * and values as UTF-8 text (base64 under {@code *_base64} when a value is not valid UTF-8), in
 * offset order per partition. Restoring writes each record to its partition with its key, timestamp
 * and headers; offsets start again from the topic's, so consumers that kept offsets read the
 * restored topic from its beginning.
 */
final class TopicDump {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TopicDump() {}

  private static Properties common(String bootstrap) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    return props;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties props = common(bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalArgumentException("Kafka has no topic '" + topic + "'");
    }
    List<TopicPartition> partitions = new ArrayList<>();
    infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    return partitions;
  }

  /** Writes every record of {@code topic} to {@code out}; returns how many. */
  static long dump(String bootstrap, String topic, Path out, PrintWriter progress)
      throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    long count = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap);
        BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() >= end.get(new TopicPartition(topic, record.partition()))) {
            continue; // written after the dump began: the next backup has it
          }
          writer.write(JSON.writeValueAsString(line(record)));
          writer.write('\n');
          count++;
        }
      }
    }
    progress.printf("  %s: %,d records%n", topic, count);
    progress.flush();
    return count;
  }

  static ObjectNode line(ConsumerRecord<byte[], byte[]> record) {
    ObjectNode line = JSON.createObjectNode();
    line.put("partition", record.partition());
    line.put("offset", record.offset());
    line.put("timestamp", record.timestamp());
    putBytes(line, "key", record.key());
    ObjectNode headers = line.putObject("headers");
    for (Header header : record.headers()) {
      putBytes(headers, header.key(), header.value());
    }
    putBytes(line, "value", record.value());
    return line;
  }

  private static void putBytes(ObjectNode node, String field, byte[] bytes) {
    if (bytes == null) {
      node.putNull(field);
      return;
    }
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    try {
      node.put(field, decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString());
    } catch (java.nio.charset.CharacterCodingException e) {
      node.put(field + "_base64", Base64.getEncoder().encodeToString(bytes));
    }
  }

  private static byte[] bytes(JsonNode node, String field) {
    if (node.hasNonNull(field + "_base64")) {
      return Base64.getDecoder().decode(node.get(field + "_base64").asText());
    }
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes the records of {@code in} to {@code topic}, which must be empty (restoring into a topic
   * that holds records would mix old and new); returns how many.
   */
  static long restore(
      String bootstrap, String topic, Path in, boolean replace, PrintWriter progress)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(in)) {
      throw new IllegalArgumentException("no topic dump at " + in);
    }
    int partitionCount;
    long count;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      partitionCount = partitions.size();
      // Every line is checked before anything is deleted or written: a damaged dump changes
      // nothing.
      count = forEachRecord(in, topic, partitionCount, record -> {});
      long held = 0;
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions).entrySet()) {
        held += end.getValue() - begin.get(end.getKey());
      }
      if (held > 0 && replace) {
        Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> before =
            new java.util.HashMap<>();
        consumer
            .endOffsets(partitions)
            .forEach(
                (partition, end) ->
                    before.put(
                        partition,
                        org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(end)));
        try (org.apache.kafka.clients.admin.Admin admin =
            org.apache.kafka.clients.admin.Admin.create(common(bootstrap))) {
          admin.deleteRecords(before).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IOException(
              "Kafka did not delete the records of '" + topic + "'", e.getCause());
        }
        progress.printf("  %s: %,d records deleted before the restore%n", topic, held);
        held = 0;
      }
      if (held > 0) {
        throw new IllegalStateException(
            "topic '"
                + topic
                + "' holds "
                + held
                + " records; a restore writes into an empty topic (--replace deletes"
                + " them first)");
      }
    }
    Properties props = common(bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    Map<String, Exception> failures = new java.util.concurrent.ConcurrentHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      forEachRecord(
          in,
          topic,
          partitionCount,
          record ->
              producer.send(
                  record,
                  (metadata, error) -> {
                    if (error != null) {
                      failures.putIfAbsent("send", error);
                    }
                  }));
      producer.flush();
    }
    if (!failures.isEmpty()) {
      throw new IOException("Kafka refused a restored record", failures.get("send"));
    }
    progress.printf("  %s: %,d records%n", topic, count);
    progress.flush();
    return count;
  }

  /** Reads the dump line by line, hands each record to {@code action}; returns how many. */
  private static long forEachRecord(
      Path in,
      String topic,
      int partitionCount,
      java.util.function.Consumer<ProducerRecord<byte[], byte[]>> action)
      throws IOException {
    long count = 0;
    try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
      String text;
      int lineNumber = 0;
      while ((text = reader.readLine()) != null) {
        lineNumber++;
        if (text.isBlank()) {
          continue;
        }
        try {
          action.accept(record(JSON.readTree(text), topic, partitionCount));
        } catch (IOException | IllegalArgumentException e) {
          throw new IOException(in + " line " + lineNumber + ": " + e.getMessage(), e);
        }
        count++;
      }
    }
    return count;
  }

  /** One line of a dump as the record to write; a line that is not one is an error. */
  static ProducerRecord<byte[], byte[]> record(JsonNode line, String topic, int partitionCount)
      throws IOException {
    if (line == null || !line.isObject()) {
      throw new IOException("not a JSON object");
    }
    int partition = line.path("partition").asInt(-1);
    if (partition < 0 || partition >= partitionCount) {
      throw new IOException(
          "partition " + line.path("partition") + " is not one of the topic's " + partitionCount);
    }
    if (!line.path("timestamp").canConvertToLong()) {
      throw new IOException("the timestamp is missing or not a number");
    }
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic,
            partition,
            line.get("timestamp").asLong(),
            bytes(line, "key"),
            bytes(line, "value"));
    JsonNode headers = line.path("headers");
    for (var names = headers.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      String header = name.endsWith("_base64") ? name.substring(0, name.length() - 7) : name;
      record.headers().add(header, bytes(headers, header));
    }
    return record;
  }
}
