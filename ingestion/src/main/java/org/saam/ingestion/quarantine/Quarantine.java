package org.saam.ingestion.quarantine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
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
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.saam.common.broker.Topics;
import org.saam.common.store.QuarantineEntry;
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

  /** Entries not yet replayed, newest first, optionally of one reason and location. */
  public List<QuarantineEntry> pending(String reason, String locationId, int limit) {
    List<QuarantineEntry> entries = new ArrayList<>();
    for (Document document :
        collection
            .find(filter(reason, locationId))
            .sort(Sorts.descending(QuarantineEntry.RECEIVED_AT))
            .limit(limit)) {
      entries.add(QuarantineEntry.read(document));
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
                    new Document("_id", "$" + QuarantineEntry.REASON)
                        .append("count", new Document("$sum", 1))),
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
      QuarantineEntry entry = QuarantineEntry.read(document);
      if (!entry.replayable()) {
        // No location to route it to, or only the beginning of the message was kept: sending it
        // would refuse it again.
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
          Updates.combine(
              Updates.set(QuarantineEntry.REPLAYED_AT, new Date()),
              Updates.inc(QuarantineEntry.REPLAY_COUNT, 1)));
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
      QuarantineEntry entry =
          QuarantineEntry.deadLetter(
              message.getEnvelope().getRoutingKey(),
              body,
              deliveries(message),
              System.currentTimeMillis());
      collection
          .withDocumentClass(BsonDocument.class)
          .replaceOne(
              Filters.eq("_id", entry.id()), entry.toDocument(), new ReplaceOptions().upsert(true));
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

  private static byte[] batchOf(QuarantineEntry entry) throws IOException {
    ObjectNode batch = JSON.createObjectNode();
    batch.put(
        "gateway_id", entry.gatewayId() == null ? "gw-" + entry.locationId() : entry.gatewayId());
    batch.put("location_id", entry.locationId());
    batch.put("sent_at", Instant.ofEpochMilli(entry.receivedAtMillis()).toString());
    batch.put("seq", entry.seq() == null ? 0 : entry.seq());
    batch.putArray("readings").add(JSON.readTree(entry.raw()));
    return JSON.writeValueAsBytes(batch);
  }

  private static Bson filter(String reason, String locationId) {
    List<Bson> filters = new ArrayList<>();
    filters.add(Filters.exists(QuarantineEntry.REPLAYED_AT, false));
    if (reason != null) {
      filters.add(Filters.eq(QuarantineEntry.REASON, reason));
    }
    if (locationId != null) {
      filters.add(Filters.eq(QuarantineEntry.LOCATION_ID, locationId));
    }
    return Filters.and(filters);
  }
}
