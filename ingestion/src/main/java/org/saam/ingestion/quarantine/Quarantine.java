package org.saam.ingestion.quarantine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.saam.common.broker.Topics;
import org.saam.common.codec.RejectionReason;
import org.saam.common.quarantine.QuarantineText;
import org.saam.ingestion.broker.BrokerTopology;
import org.saam.ingestion.broker.ReadingsQueue;

/**
 * The {@code quarantine} collection seen by an operator: what was refused and why, and replay of it
 * into the pipeline (for example after a source was added to the catalogue). A replayed entry is
 * marked with {@code replayed_at}; if the pipeline refuses it again it comes back as a new entry,
 * or replaces the same one, with its reason. Entries whose raw text was cut (a message far over the
 * contract's size) cannot be replayed and are left; so are entries without a location.
 */
public final class Quarantine {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MongoCollection<Document> collection;

  public Quarantine(MongoCollection<Document> collection) {
    this.collection = collection;
  }

  /** One quarantined payload or reading. */
  public record Entry(
      String id,
      Instant receivedAt,
      String reason,
      String detail,
      String locationId,
      String gatewayId,
      Long seq,
      int index,
      String raw,
      Instant replayedAt) {}

  /** Entries not yet replayed, newest first, optionally of one reason and location. */
  public List<Entry> pending(String reason, String locationId, int limit) {
    List<Entry> entries = new ArrayList<>();
    for (Document document :
        collection
            .find(filter(reason, locationId))
            .sort(Sorts.descending("received_at"))
            .limit(limit)) {
      entries.add(entry(document));
    }
    return entries;
  }

  /** Counts of pending entries by reason. */
  public List<Document> countsByReason() {
    return collection
        .aggregate(
            List.of(
                new Document("$match", filter(null, null)),
                new Document(
                    "$group",
                    new Document("_id", "$reason").append("count", new Document("$sum", 1))),
                new Document("$sort", new Document("_id", 1))))
        .into(new ArrayList<>());
  }

  /**
   * Publishes every pending entry (of the reason and location, when given) to the readings topic of
   * its location again and marks it replayed. A refused reading is sent in a batch of its own with
   * its original gateway and seq. Entries without a location cannot be routed and are left.
   *
   * @return how many were replayed
   */
  public int replay(Channel channel, String reason, String locationId)
      throws IOException, InterruptedException, TimeoutException {
    channel.confirmSelect();
    int replayed = 0;
    for (Document document : collection.find(filter(reason, locationId))) {
      Entry entry = entry(document);
      if (entry.locationId() == null) {
        continue;
      }
      if (Boolean.TRUE.equals(document.getBoolean("raw_truncated"))) {
        // Only the beginning of the message was kept: sending it would refuse it again.
        continue;
      }
      byte[] payload =
          entry.index() < 0 ? entry.raw().getBytes(StandardCharsets.UTF_8) : batchOf(entry);
      channel.basicPublish(
          BrokerTopology.MQTT_EXCHANGE,
          Topics.readingsRoutingKey(entry.locationId()),
          new AMQP.BasicProperties.Builder()
              .deliveryMode(2)
              .contentType("application/json")
              .build(),
          payload);
      channel.waitForConfirmsOrDie(10_000);
      collection.updateOne(
          Filters.eq("_id", entry.id()),
          Updates.combine(Updates.set("replayed_at", new Date()), Updates.inc("replay_count", 1)));
      replayed++;
    }
    return replayed;
  }

  /**
   * Moves every message the broker dead-lettered (delivered {@link ReadingsQueue#DELIVERY_LIMIT}
   * times without an acknowledgement) from {@code queue}'s dead-letter queue into quarantine with
   * reason {@code delivery_limit}, the whole message kept (up to the contract's size) so that a
   * replay can send it again. Each message is acknowledged only after its entry is stored, and its
   * id is deterministic, so a crash in between stores it once.
   *
   * @return how many were moved
   */
  public int collectDeadLetters(Channel channel, ReadingsQueue queue) throws IOException {
    int moved = 0;
    GetResponse message;
    while ((message = channel.basicGet(queue.deadLetterQueue(), false)) != null) {
      byte[] body = message.getBody() == null ? new byte[0] : message.getBody();
      String routingKey = message.getEnvelope().getRoutingKey();
      String sha256 = QuarantineText.sha256(body);
      QuarantineText.Kept kept = QuarantineText.keep(body, RejectionReason.DELIVERY_LIMIT);
      String locationId = Topics.locationOfReadingsKey(routingKey).orElse(null);
      Document entry =
          new Document("_id", QuarantineText.id(routingKey, sha256, "delivery_limit", -1))
              .append("received_at", new Date())
              .append("reason", RejectionReason.DELIVERY_LIMIT.code())
              .append(
                  "detail",
                  "the broker dead-lettered this message after "
                      + deliveries(message)
                      + " deliveries without an acknowledgement (routing key "
                      + routingKey
                      + ")")
              .append("location_id", locationId)
              .append("gateway_id", null)
              .append("seq", null)
              .append("index", -1)
              .append("raw", kept.text())
              .append("raw_truncated", kept.truncated())
              .append("payload_bytes", body.length)
              .append("payload_sha256", sha256);
      collection.replaceOne(
          Filters.eq("_id", entry.getString("_id")),
          entry,
          new com.mongodb.client.model.ReplaceOptions().upsert(true));
      channel.basicAck(message.getEnvelope().getDeliveryTag(), false);
      moved++;
    }
    return moved;
  }

  private static Object deliveries(GetResponse message) {
    Map<String, Object> headers =
        message.getProps().getHeaders() == null ? Map.of() : message.getProps().getHeaders();
    Object count = headers.get("x-delivery-count");
    if (count != null) {
      return count;
    }
    if (headers.get("x-death") instanceof List<?> deaths
        && !deaths.isEmpty()
        && deaths.get(0) instanceof Map<?, ?> death
        && death.get("count") != null) {
      return death.get("count");
    }
    return ReadingsQueue.DELIVERY_LIMIT;
  }

  private static byte[] batchOf(Entry entry) throws IOException {
    ObjectNode batch = JSON.createObjectNode();
    batch.put(
        "gateway_id", entry.gatewayId() == null ? "gw-" + entry.locationId() : entry.gatewayId());
    batch.put("location_id", entry.locationId());
    batch.put("sent_at", entry.receivedAt().toString());
    batch.put("seq", entry.seq() == null ? 0 : entry.seq());
    batch.putArray("readings").add(JSON.readTree(entry.raw()));
    return JSON.writeValueAsBytes(batch);
  }

  private static Bson filter(String reason, String locationId) {
    List<Bson> filters = new ArrayList<>();
    filters.add(Filters.exists("replayed_at", false));
    if (reason != null) {
      filters.add(Filters.eq("reason", reason));
    }
    if (locationId != null) {
      filters.add(Filters.eq("location_id", locationId));
    }
    return Filters.and(filters);
  }

  private static Entry entry(Document document) {
    Date received = document.getDate("received_at");
    Date replayed = document.getDate("replayed_at");
    Number seq = document.get("seq", Number.class);
    Integer index = document.getInteger("index");
    return new Entry(
        document.getString("_id"),
        received == null ? Instant.EPOCH : received.toInstant(),
        document.getString("reason"),
        document.getString("detail"),
        document.getString("location_id"),
        document.getString("gateway_id"),
        seq == null ? null : seq.longValue(),
        index == null ? -1 : index,
        document.getString("raw"),
        replayed == null ? null : replayed.toInstant());
  }
}
