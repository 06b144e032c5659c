package org.saam.stream.options;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.saam.common.broker.Topics;

/**
 * Where the readings come from: the broker, its quorum queue, and how acknowledgements flow. The
 * queue is acknowledged at checkpoints, so the checkpoint interval is here too.
 *
 * @param host broker host
 * @param port AMQP port
 * @param virtualHost the broker's virtual host
 * @param user broker user (reads the readings queue, publishes coaching pushes)
 * @param password its password; never defaulted
 * @param queue the quorum queue to read
 * @param prefetch unacknowledged messages the broker hands out
 * @param checkpointInterval checkpoint interval, also the delay of acknowledgements
 */
public record SourceOptions(
    String host,
    int port,
    String virtualHost,
    String user,
    String password,
    String queue,
    int prefetch,
    Duration checkpointInterval)
    implements Serializable {
  public static final String HOST = "rabbitmq.host";
  public static final String PORT = "rabbitmq.port";
  public static final String VIRTUAL_HOST = "rabbitmq.vhost";
  public static final String USER = "rabbitmq.user";
  public static final String PASSWORD = "rabbitmq.password";
  public static final String QUEUE = "rabbitmq.queue";
  public static final String PREFETCH = "rabbitmq.prefetch";
  public static final String CHECKPOINT_INTERVAL = "checkpoint.interval-ms";

  /** The environment variable the password comes from when the option is not given. */
  public static final String PASSWORD_VARIABLE = "SAAM_RABBITMQ_PIPELINE_PASSWORD";

  public static final List<Option> OPTIONS =
      List.of(
          new Option(HOST, "127.0.0.1", "broker host"),
          new Option(PORT, "5672", "AMQP port"),
          new Option(VIRTUAL_HOST, "/", "virtual host"),
          new Option(
              USER,
              "saam-pipeline",
              "broker user (reads the readings queue, publishes coaching pushes)"),
          new Option(PASSWORD, "env " + PASSWORD_VARIABLE + "; required", "its password"),
          new Option(QUEUE, Topics.READINGS_QUEUE, "the quorum queue to read"),
          new Option(
              PREFETCH,
              "1000",
              "unacknowledged messages the broker hands out; messages are acknowledged at"
                  + " checkpoints, so throughput is at most prefetch per checkpoint interval"),
          new Option(
              CHECKPOINT_INTERVAL,
              "1000",
              "checkpoint interval; also the delay of acknowledgements"));

  public SourceOptions {
    OptionValues.require(host, HOST);
    OptionValues.require(virtualHost, VIRTUAL_HOST);
    OptionValues.require(user, USER);
    OptionValues.require(queue, QUEUE);
    OptionValues.range(port, 1, 65535, PORT);
    OptionValues.range(prefetch, 1, 65535, PREFETCH);
    OptionValues.range(checkpointInterval.toMillis(), 100, 3_600_000, CHECKPOINT_INTERVAL);
    if (password == null || password.isBlank()) {
      throw new IllegalArgumentException(
          "no broker password for "
              + user
              + ": set "
              + PASSWORD_VARIABLE
              + " (./saam sets it for the local stack) or pass --"
              + PASSWORD);
    }
  }

  /** Reads the options, with the defaults above. */
  public static SourceOptions from(OptionValues values) {
    return new SourceOptions(
        values.text(HOST, "127.0.0.1"),
        values.integer(PORT, 5672),
        values.text(VIRTUAL_HOST, "/"),
        values.text(USER, "saam-pipeline"),
        values.text(PASSWORD, PASSWORD_VARIABLE, null),
        values.text(QUEUE, Topics.READINGS_QUEUE),
        values.integer(PREFETCH, 1000),
        values.millis(CHECKPOINT_INTERVAL, Duration.ofSeconds(1)));
  }
}
