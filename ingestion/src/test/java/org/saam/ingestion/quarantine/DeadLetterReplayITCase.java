package org.saam.ingestion.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.ingestion.broker.ReadingsQueue;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.ingestion.testing.TestReadingsQueue;

/**
 * The second line of defence on the real broker: a message handed to a consumer that dies before
 * acknowledging it, {@value ReadingsQueue#DELIVERY_LIMIT} times, is dead-lettered instead of
 * stopping the pipeline forever; {@code quarantine list} moves it into quarantine and {@code
 * replay} sends it to the readings queue again.
 */
class DeadLetterReplayITCase {
  private TestReadingsQueue queue;
  private Connection amqp;
  private MongoClient mongo;
  private MongoDatabase database;

  @BeforeEach
  void freshQueueAndDatabase() throws Exception {
    queue = TestReadingsQueue.declare();
    amqp = LocalStackEndpoints.amqp().newConnection("it-dead-letters");
    mongo = MongoClients.create(LocalStackEndpoints.mongoUri());
    database = mongo.getDatabase("it_dead_" + UUID.randomUUID().toString().substring(0, 8));
  }

  @AfterEach
  void cleanUp() throws Exception {
    database.drop();
    mongo.close();
    amqp.close();
    queue.close();
  }

  @Test
  void deliveryLimitDeadLettersAMessageAndQuarantineReplaysIt() throws Exception {
    String location = queue.locationPrefix() + "0001";
    String routingKey = "saam." + location + ".readings";
    byte[] poison =
        ("{\"gateway_id\":\"gw-1\",\"location_id\":\""
                + location
                + "\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1,\"readings\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    try (Channel channel = amqp.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(
          "amq.topic",
          routingKey,
          new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
          poison);
      channel.waitForConfirmsOrDie(5_000);
    }

    // A consumer that dies holding the message, as a failing job does, again and again.
    int deliveries = 0;
    while (true) {
      try (Channel consumer = amqp.createChannel()) {
        GetResponse message = consumer.basicGet(queue.name(), false);
        if (message == null) {
          break;
        }
        deliveries++;
      }
      assertThat(deliveries).as("deliveries before the broker gives up").isLessThanOrEqualTo(10);
    }

    assertThat(deliveries).isEqualTo(ReadingsQueue.DELIVERY_LIMIT + 1);
    Quarantine quarantine = new Quarantine(database.getCollection("quarantine"));
    try (Channel channel = amqp.createChannel()) {
      assertThat(waitForDeadLetters(channel, queue.readingsQueue(), quarantine)).isEqualTo(1);
      assertThat(quarantine.collectDeadLetters(channel, queue.readingsQueue()))
          .as("nothing is moved twice")
          .isZero();
    }
    Document entry = database.getCollection("quarantine").find().first();
    assertThat(entry.getString("reason")).isEqualTo("delivery_limit");
    assertThat(entry.getString("location_id")).isEqualTo(location);
    assertThat(entry.getString("raw")).isEqualTo(new String(poison, StandardCharsets.UTF_8));
    assertThat(entry.getString("detail")).contains("dead-lettered").contains(routingKey);

    try (Channel channel = amqp.createChannel()) {
      assertThat(quarantine.replay(channel, "delivery_limit", location)).isEqualTo(1);
    }
    try (Channel channel = amqp.createChannel()) {
      GetResponse replayed = waitForMessage(channel, queue.name());
      assertThat(replayed.getBody()).isEqualTo(poison);
      assertThat(replayed.getEnvelope().getRoutingKey()).isEqualTo(routingKey);
      channel.basicAck(replayed.getEnvelope().getDeliveryTag(), false);
    }
    assertThat(quarantine.pending("delivery_limit", location, 10)).isEmpty();
  }

  private static int waitForDeadLetters(Channel channel, ReadingsQueue queue, Quarantine quarantine)
      throws Exception {
    int moved = 0;
    for (int attempt = 0; attempt < 50 && moved == 0; attempt++) {
      moved = quarantine.collectDeadLetters(channel, queue);
      if (moved == 0) {
        Thread.sleep(100);
      }
    }
    return moved;
  }

  private static GetResponse waitForMessage(Channel channel, String queue) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      GetResponse response = channel.basicGet(queue, false);
      if (response != null) {
        return response;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no message arrived in " + queue);
  }
}
