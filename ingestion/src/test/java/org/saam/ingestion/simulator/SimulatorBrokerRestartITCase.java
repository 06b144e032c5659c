package org.saam.ingestion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.broker.BrokerTopology;
import org.saam.ingestion.broker.ReadingsQueue;
import org.saam.ingestion.testing.LocalStackEndpoints;

/**
 * The broker goes down and comes back in the middle of a simulation: every gateway's every seq
 * still ends up in the quorum queue. Restarts the shared local RabbitMQ through ./saam, so it runs
 * alone in its class.
 */
class SimulatorBrokerRestartITCase {

  @Test
  void noSeqIsMissingAfterTheBrokerRestartsMidway() throws Exception {
    String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    SimulationSettings settings =
        SimulationSettings.defaults()
            .withLocationPrefix(prefix)
            .withHomes(2)
            .withDays(1)
            .withBatchSize(200);
    ReadingsQueue queue =
        new ReadingsQueue(
            "saam.readings." + prefix + "restart", "saam." + prefix + "0001.readings", 100_000);
    try (Connection amqp = amqp();
        Channel channel = amqp.createChannel()) {
      BrokerTopology.install(amqp, queue);
      channel.queueBind(
          queue.queue(), BrokerTopology.MQTT_EXCHANGE, "saam." + prefix + "0002.readings");
    }

    Simulation simulation = new Simulation(settings);
    ReliablePublisher publisher =
        new ReliablePublisher(
            LocalStackEndpoints.simulatorMqtt(prefix + "simulator"), 200, Duration.ofMinutes(3));
    publisher.start();
    long begin = System.nanoTime();
    CompletableFuture<Void> run =
        CompletableFuture.runAsync(
            () -> {
              try {
                // About 4,000 readings a second: long enough to restart the broker midway.
                simulation.run(
                    publisher,
                    (minute, readings) -> {
                      long due = begin + readings * 250_000L;
                      long wait = due - System.nanoTime();
                      if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                      }
                    });
                publisher.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    while (simulation.progress() < 0.25) {
      Thread.sleep(100);
    }
    saam("down", "rabbitmq");
    saam("up", "rabbitmq");
    run.get(5, TimeUnit.MINUTES);

    Map<String, TreeSet<Long>> seqs = new HashMap<>();
    ReadingBatchCodec codec = new ReadingBatchCodec();
    try (Connection amqp = amqp();
        Channel channel = amqp.createChannel()) {
      GetResponse response;
      while ((response = channel.basicGet(queue.queue(), true)) != null) {
        ReadingBatch batch = codec.decode(response.getBody()).batch();
        seqs.computeIfAbsent(batch.locationId(), l -> new TreeSet<>()).add(batch.seq());
      }
      BrokerTopology.remove(channel, queue);
    }

    assertThat(publisher.reconnects()).as("the publisher noticed the outage").isPositive();
    assertThat(seqs.keySet())
        .containsExactlyInAnyOrderElementsOf(simulation.lastSeqByLocation().keySet());
    simulation
        .lastSeqByLocation()
        .forEach(
            (location, last) -> {
              TreeSet<Long> received = seqs.get(location);
              assertThat(received.first()).as("first seq of %s", location).isEqualTo(1L);
              assertThat(received.last()).as("last seq of %s", location).isEqualTo(last);
              assertThat(received).as("every seq of %s, no gap", location).hasSize(last.intValue());
            });
  }

  private static Connection amqp() throws Exception {
    return LocalStackEndpoints.amqp().newConnection("saam-it-restart");
  }

  /** Runs the checkout's ./saam, as an operator would. */
  private static void saam(String... args) throws Exception {
    Path root = LocalStackEndpoints.stateDir().getParent();
    String[] command = new String[args.length + 1];
    command[0] = root.resolve("saam").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process process =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES))
        .as("./saam %s finished", String.join(" ", args))
        .isTrue();
    assertThat(process.exitValue()).as("./saam %s exit code", String.join(" ", args)).isZero();
  }
}
