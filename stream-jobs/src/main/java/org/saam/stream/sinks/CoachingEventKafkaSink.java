package org.saam.stream.sinks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.saam.common.broker.Topics;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.CoachingEventRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coaching events to the Kafka topic {@code saam.coaching-events}, key {@code <user_id>/<event_id>}
 * ({@link Topics#coachingEventKey}: one key per event, so erasure can remove a person's events with
 * tombstones from the compacted topic), in the partition a {@code user_id} key would go to (one
 * person's events stay in order), value the event JSON, header {@code event_id}; written with an
 * idempotent producer ({@code acks=all}), so producer retries add no duplicate.
 *
 * <p>A job restart replays what came after the last checkpoint. So that it adds no duplicate
 * either, every checkpoint records the topic's end offsets (after flushing). A writer restored from
 * a checkpoint first reads the topic from those offsets to its end and remembers the event ids it
 * finds: events of the replay already in Kafka are skipped, the rest are written. Only public Kafka
 * client APIs are used (no transactions to resume), and consumers see events at once. A job that
 * fails before its first checkpoint completes has no offsets to start from and writes the events of
 * that first interval again (same {@code event_id}; consumers drop repeats by it, as the app does).
 *
 * <p>Run it with parallelism 1: coaching events are a few per person per day, and one writer keeps
 * the read-back exact. The topic must exist (the error says so); {@code ./saam up kafka} creates it
 * locally.
 */
public final class CoachingEventKafkaSink
    implements Sink<CoachingEventRecord>,
        SupportsWriterState<CoachingEventRecord, Map<Integer, Long>>,
        NamedSink {
  /** The operator name in the job graph. */
  public static final String OPERATOR_NAME = "send coaching events to kafka";

  @Override
  public String operatorName() {
    return OPERATOR_NAME;
  }

  private static final long serialVersionUID = 1L;

  /** The header carrying the event id, for consumers and the read-back. */
  public static final String EVENT_ID_HEADER = "event_id";

  private final String bootstrapServers;
  private final String topic;

  public CoachingEventKafkaSink(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method of Sink in Flink 1.20
  public Writer createWriter(Sink.InitContext context) throws IOException {
    return new Writer(context.metricGroup().addGroup(PipelineMetrics.GROUP), List.of());
  }

  @Override
  public Writer restoreWriter(WriterInitContext context, Collection<Map<Integer, Long>> states)
      throws IOException {
    return new Writer(context.metricGroup().addGroup(PipelineMetrics.GROUP), states);
  }

  @Override
  public SimpleVersionedSerializer<Map<Integer, Long>> getWriterStateSerializer() {
    return new OffsetsSerializer();
  }

  /** Writes the events; see the class comment for how restarts stay free of duplicates. */
  public final class Writer implements StatefulSinkWriter<CoachingEventRecord, Map<Integer, Long>> {
    private final Logger log = LoggerFactory.getLogger(CoachingEventKafkaSink.class);
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Set<String> alreadyInKafka;
    private final Counter skipped;
    private final Counter sent;
    private volatile Exception sendFailure;

    Writer(MetricGroup metrics, Collection<Map<Integer, Long>> restored) throws IOException {
      this.skipped = metrics.counter("coaching_events_skipped_total");
      // Incremented on the producer's I/O thread when Kafka acknowledges an event.
      this.sent = metrics.counter("coaching_events_sent_total", new ThreadSafeSimpleCounter());
      Properties producerProps = new Properties();
      producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "saam-coaching-events-writer");
      producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      Properties consumerProps = new Properties();
      consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "saam-coaching-events-readback");
      consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      consumerProps.put(
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      // The writer's classes come from the job jar, not from Flink's class loader.
      ClassLoader previous = Thread.currentThread().getContextClassLoader();
      Thread.currentThread().setContextClassLoader(CoachingEventKafkaSink.class.getClassLoader());
      try {
        consumer = new KafkaConsumer<>(consumerProps);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
          consumer.close();
          throw new IOException(
              "Kafka topic '"
                  + topic
                  + "' does not exist at "
                  + bootstrapServers
                  + "; create it first (./saam up kafka does locally; in production with"
                  + " replication 3), the job does not create topics");
        }
        partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
        producer = new KafkaProducer<>(producerProps);
      } finally {
        Thread.currentThread().setContextClassLoader(previous);
      }
      alreadyInKafka = readBack(restored);
      if (!alreadyInKafka.isEmpty()) {
        log.info(
            "{} coaching events written after the last checkpoint are already in {}; the replay"
                + " will not write them again",
            alreadyInKafka.size(),
            topic);
      }
    }

    /** Event ids written after the restored checkpoint's offsets. */
    private Set<String> readBack(Collection<Map<Integer, Long>> restored) {
      Map<TopicPartition, Long> from = new HashMap<>();
      for (Map<Integer, Long> state : restored) {
        state.forEach(
            (partition, offset) ->
                from.merge(new TopicPartition(topic, partition), offset, Math::min));
      }
      Set<String> ids = new HashSet<>();
      if (from.isEmpty()) {
        return ids;
      }
      consumer.assign(from.keySet());
      from.forEach(consumer::seek);
      Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet());
      while (from.keySet().stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          Header header = record.headers().lastHeader(EVENT_ID_HEADER);
          if (header != null) {
            ids.add(new String(header.value(), StandardCharsets.UTF_8));
          }
        }
      }
      consumer.unsubscribe();
      return ids;
    }

    @Override
    public void write(CoachingEventRecord event, Context context) throws IOException {
      failIfSendFailed();
      if (alreadyInKafka.remove(event.eventId())) {
        skipped.inc();
        return;
      }
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(
              topic,
              // Partitioned by person as a user_id key would be, so one person's events keep
              // their order; the key itself is per event (compaction, erasure).
              Utils.toPositive(Utils.murmur2(event.userId().getBytes(StandardCharsets.UTF_8)))
                  % partitions.size(),
              event.tsMillis(),
              Topics.coachingEventKey(event.userId(), event.eventId()),
              event.json().getBytes(StandardCharsets.UTF_8));
      record.headers().add(EVENT_ID_HEADER, event.eventId().getBytes(StandardCharsets.UTF_8));
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              sent.inc();
            } else if (sendFailure == null) {
              sendFailure = error;
            }
          });
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      producer.flush();
      failIfSendFailed();
    }

    @Override
    public List<Map<Integer, Long>> snapshotState(long checkpointId) throws IOException {
      producer.flush();
      failIfSendFailed();
      Map<Integer, Long> offsets = new HashMap<>();
      consumer.endOffsets(partitions).forEach((p, offset) -> offsets.put(p.partition(), offset));
      return List.of(offsets);
    }

    private void failIfSendFailed() throws IOException {
      if (sendFailure != null) {
        throw new IOException(
            "Kafka refused a coaching event for " + topic + "; the job restarts and resends",
            sendFailure);
      }
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Partition -> offset, version 1. */
  static final class OffsetsSerializer implements SimpleVersionedSerializer<Map<Integer, Long>> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Map<Integer, Long> offsets) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(8 + offsets.size() * 12);
      out.writeInt(offsets.size());
      for (Map.Entry<Integer, Long> entry : offsets.entrySet()) {
        out.writeInt(entry.getKey());
        out.writeLong(entry.getValue());
      }
      return out.getCopyOfBuffer();
    }

    @Override
    public Map<Integer, Long> deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("unknown coaching-events writer state version " + version);
      }
      DataInputDeserializer in = new DataInputDeserializer(serialized);
      int size = in.readInt();
      Map<Integer, Long> offsets = new HashMap<>();
      for (int i = 0; i < size; i++) {
        offsets.put(in.readInt(), in.readLong());
      }
      return offsets;
    }
  }
}
