package org.saam.stream.pipeline;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.java.utils.ParameterTool;

/**
 * Options of the {@code sensor-pipeline} job. Every option has a default that fits the local stack;
 * secrets can come from the environment.
 *
 * <table>
 * <caption>Options</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>--rabbitmq.host</td><td>127.0.0.1</td><td>broker host</td></tr>
 * <tr><td>--rabbitmq.port</td><td>5672</td><td>AMQP port</td></tr>
 * <tr><td>--rabbitmq.vhost</td><td>/</td><td>virtual host</td></tr>
 * <tr><td>--rabbitmq.user</td><td>guest</td><td>broker user</td></tr>
 * <tr><td>--rabbitmq.password</td><td>env SAAM_RABBITMQ_PASSWORD, else guest</td><td>its password</td></tr>
 * <tr><td>--rabbitmq.queue</td><td>saam.readings</td><td>the quorum queue to read</td></tr>
 * <tr><td>--rabbitmq.prefetch</td><td>1000</td><td>unacknowledged messages the broker hands out;
 *     messages are acknowledged at checkpoints, so throughput is at most prefetch per
 *     checkpoint interval</td></tr>
 * <tr><td>--mongo.uri</td><td>env SAAM_MONGO_URI, else mongodb://127.0.0.1:27017</td><td>MongoDB</td></tr>
 * <tr><td>--mongo.database</td><td>saam</td><td>database of the views</td></tr>
 * <tr><td>--sink.batch-size</td><td>1000</td><td>writes per bulk request</td></tr>
 * <tr><td>--sink.batch-interval-ms</td><td>1000</td><td>longest wait before a partial batch is written</td></tr>
 * <tr><td>--checkpoint.interval-ms</td><td>5000</td><td>checkpoint interval; also the delay of acknowledgements</td></tr>
 * <tr><td>--catalogue</td><td>the built-in catalogue</td><td>a catalogue YAML file to use instead</td></tr>
 * <tr><td>--validation.max-future-ms</td><td>600000</td><td>how far ahead of arrival a reading's timestamp may be</td></tr>
 * </table>
 */
public final class SensorPipelineOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String rabbitHost;
  private final int rabbitPort;
  private final String rabbitVirtualHost;
  private final String rabbitUser;
  private final String rabbitPassword;
  private final String queue;
  private final int prefetch;
  private final String mongoUri;
  private final String mongoDatabase;
  private final int sinkBatchSize;
  private final long sinkBatchIntervalMs;
  private final Duration checkpointInterval;
  private final String cataloguePath;
  private final long maxFutureMillis;

  private SensorPipelineOptions(Builder builder) {
    this.rabbitHost = builder.rabbitHost;
    this.rabbitPort = builder.rabbitPort;
    this.rabbitVirtualHost = builder.rabbitVirtualHost;
    this.rabbitUser = builder.rabbitUser;
    this.rabbitPassword = builder.rabbitPassword;
    this.queue = builder.queue;
    this.prefetch = builder.prefetch;
    this.mongoUri = builder.mongoUri;
    this.mongoDatabase = builder.mongoDatabase;
    this.sinkBatchSize = builder.sinkBatchSize;
    this.sinkBatchIntervalMs = builder.sinkBatchIntervalMs;
    this.checkpointInterval = builder.checkpointInterval;
    this.cataloguePath = builder.cataloguePath;
    this.maxFutureMillis = builder.maxFutureMillis;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads options from job arguments ({@code --key value}) over defaults and the environment.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public static SensorPipelineOptions fromArgs(String[] args, Map<String, String> environment) {
    ParameterTool params = ParameterTool.fromArgs(args);
    Builder builder = builder();
    builder.rabbitHost(params.get("rabbitmq.host", builder.rabbitHost));
    builder.rabbitPort(integer(params, "rabbitmq.port", builder.rabbitPort));
    builder.rabbitVirtualHost(params.get("rabbitmq.vhost", builder.rabbitVirtualHost));
    builder.rabbitUser(params.get("rabbitmq.user", builder.rabbitUser));
    builder.rabbitPassword(
        params.get(
            "rabbitmq.password",
            environment.getOrDefault("SAAM_RABBITMQ_PASSWORD", builder.rabbitPassword)));
    builder.queue(params.get("rabbitmq.queue", builder.queue));
    builder.prefetch(integer(params, "rabbitmq.prefetch", builder.prefetch));
    builder.mongoUri(
        params.get("mongo.uri", environment.getOrDefault("SAAM_MONGO_URI", builder.mongoUri)));
    builder.mongoDatabase(params.get("mongo.database", builder.mongoDatabase));
    builder.sinkBatchSize(integer(params, "sink.batch-size", builder.sinkBatchSize));
    builder.sinkBatchIntervalMs(
        (long) integer(params, "sink.batch-interval-ms", (int) builder.sinkBatchIntervalMs));
    builder.checkpointInterval(
        Duration.ofMillis(
            integer(
                params, "checkpoint.interval-ms", (int) builder.checkpointInterval.toMillis())));
    builder.cataloguePath(params.get("catalogue", builder.cataloguePath));
    builder.maxFutureMillis(
        integer(params, "validation.max-future-ms", (int) builder.maxFutureMillis));
    return builder.build();
  }

  private static int integer(ParameterTool params, String key, int fallback) {
    String value = params.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option --" + key + " must be a whole number, was '" + value + "'");
    }
  }

  public String rabbitHost() {
    return rabbitHost;
  }

  public int rabbitPort() {
    return rabbitPort;
  }

  public String rabbitVirtualHost() {
    return rabbitVirtualHost;
  }

  public String rabbitUser() {
    return rabbitUser;
  }

  public String rabbitPassword() {
    return rabbitPassword;
  }

  public String queue() {
    return queue;
  }

  public int prefetch() {
    return prefetch;
  }

  public String mongoUri() {
    return mongoUri;
  }

  public String mongoDatabase() {
    return mongoDatabase;
  }

  public int sinkBatchSize() {
    return sinkBatchSize;
  }

  public long sinkBatchIntervalMs() {
    return sinkBatchIntervalMs;
  }

  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  /** A catalogue file to load instead of the built-in one, or {@code null}. */
  public String cataloguePath() {
    return cataloguePath;
  }

  public long maxFutureMillis() {
    return maxFutureMillis;
  }

  /** Builder with the local-stack defaults; {@link #build()} validates. */
  public static final class Builder {
    private String rabbitHost = "127.0.0.1";
    private int rabbitPort = 5672;
    private String rabbitVirtualHost = "/";
    private String rabbitUser = "guest";
    private String rabbitPassword = "guest";
    private String queue = "saam.readings";
    private int prefetch = 1000;
    private String mongoUri = "mongodb://127.0.0.1:27017";
    private String mongoDatabase = "saam";
    private int sinkBatchSize = 1000;
    private long sinkBatchIntervalMs = 1000;
    private Duration checkpointInterval = Duration.ofSeconds(5);
    private String cataloguePath;
    private long maxFutureMillis = 600_000;

    private Builder() {}

    public Builder cataloguePath(String value) {
      cataloguePath = value == null || value.isBlank() ? null : value;
      return this;
    }

    public Builder maxFutureMillis(long value) {
      maxFutureMillis = value;
      return this;
    }

    public Builder rabbitHost(String value) {
      rabbitHost = value;
      return this;
    }

    public Builder rabbitPort(int value) {
      rabbitPort = value;
      return this;
    }

    public Builder rabbitVirtualHost(String value) {
      rabbitVirtualHost = value;
      return this;
    }

    public Builder rabbitUser(String value) {
      rabbitUser = value;
      return this;
    }

    public Builder rabbitPassword(String value) {
      rabbitPassword = value;
      return this;
    }

    public Builder queue(String value) {
      queue = value;
      return this;
    }

    public Builder prefetch(int value) {
      prefetch = value;
      return this;
    }

    public Builder mongoUri(String value) {
      mongoUri = value;
      return this;
    }

    public Builder mongoDatabase(String value) {
      mongoDatabase = value;
      return this;
    }

    public Builder sinkBatchSize(int value) {
      sinkBatchSize = value;
      return this;
    }

    public Builder sinkBatchIntervalMs(long value) {
      sinkBatchIntervalMs = value;
      return this;
    }

    public Builder checkpointInterval(Duration value) {
      checkpointInterval = value;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first option that is missing or out of range
     */
    public SensorPipelineOptions build() {
      require(rabbitHost, "rabbitmq.host");
      require(rabbitVirtualHost, "rabbitmq.vhost");
      require(rabbitUser, "rabbitmq.user");
      require(rabbitPassword, "rabbitmq.password");
      require(queue, "rabbitmq.queue");
      require(mongoUri, "mongo.uri");
      require(mongoDatabase, "mongo.database");
      range(rabbitPort, 1, 65535, "rabbitmq.port");
      range(prefetch, 1, 65535, "rabbitmq.prefetch");
      range(sinkBatchSize, 1, 100_000, "sink.batch-size");
      range(sinkBatchIntervalMs, 1, 600_000, "sink.batch-interval-ms");
      Objects.requireNonNull(checkpointInterval, "checkpoint.interval-ms");
      range(checkpointInterval.toMillis(), 100, 3_600_000, "checkpoint.interval-ms");
      range(maxFutureMillis, 0, 7L * 24 * 3_600_000, "validation.max-future-ms");
      if (cataloguePath != null
          && !java.nio.file.Files.isReadable(java.nio.file.Path.of(cataloguePath))) {
        throw new IllegalArgumentException(
            "option --catalogue names " + cataloguePath + ", which is not a readable file");
      }
      if (!mongoUri.startsWith("mongodb://") && !mongoUri.startsWith("mongodb+srv://")) {
        throw new IllegalArgumentException(
            "option --mongo.uri must start with mongodb:// or mongodb+srv://");
      }
      return new SensorPipelineOptions(this);
    }

    private static void require(String value, String key) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("option --" + key + " must not be empty");
      }
    }

    private static void range(long value, long min, long max, String key) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            "option --" + key + " must be between " + min + " and " + max + ", was " + value);
      }
    }
  }
}
