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
 * <tr><td>--rabbitmq.user</td><td>saam-pipeline</td><td>broker user (reads the readings queue, publishes coaching pushes)</td></tr>
 * <tr><td>--rabbitmq.password</td><td>env SAAM_RABBITMQ_PIPELINE_PASSWORD; required</td><td>its password</td></tr>
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
 * <tr><td>--validation.max-future-ms</td><td>600000</td><td>how far ahead of arrival a timestamp may be (at most 7 days)</td></tr>
 * <tr><td>--limits.rate-state-ttl-ms</td><td>10800000</td><td>how long the per-bucket reading count of the source rate limit is kept after the bucket's last reading</td></tr>
 * <tr><td>--validation.earliest</td><td>2000-01-01T00:00:00Z</td><td>timestamps before this are refused as past_timestamp</td></tr>
 * <tr><td>--redis.uri</td><td>env SAAM_REDIS_URI, else redis://127.0.0.1:6379</td><td>the assignment cache</td></tr>
 * <tr><td>--users.url</td><td>http://127.0.0.1:8090</td><td>the user service, asked on a cache miss</td></tr>
 * <tr><td>--keycloak.url</td><td>http://127.0.0.1:8180</td><td>issues the job's token (client saam-pipeline)</td></tr>
 * <tr><td>--pipeline.client-secret</td><td>env SAAM_PIPELINE_CLIENT_SECRET, else the local one</td><td>its secret</td></tr>
 * <tr><td>--join.cache-locations</td><td>10000</td><td>locations whose assignments each instance keeps</td></tr>
 * <tr><td>--join.cache-expiry-ms</td><td>300000</td><td>how long a kept list is used</td></tr>
 * <tr><td>--join.timeout-ms</td><td>30000</td><td>how long one lookup may take before the job restarts</td></tr>
 * <tr><td>--watermark.out-of-orderness-ms</td><td>120000</td><td>how late a reading may arrive and still be on time</td></tr>
 * <tr><td>--event-time.idle-timeout-ms</td><td>1800000</td><td>after this without a reading from a home (processing time) its time moves to its newest reading</td></tr>
 * <tr><td>--event-time.quiet-after-ms</td><td>259200000</td><td>after this without a reading a home's open feature windows are emitted as they are and its state is cleared</td></tr>
 * <tr><td>--coaching.late-after-ms</td><td>86400000</td><td>an event whose window ended longer ago than this is marked delivered_late and not pushed to the app</td></tr>
 * <tr><td>--features.allowed-lateness-ms</td><td>7200000</td><td>how long after a window's end late readings still update its features</td></tr>
 * <tr><td>--watermark.idleness-ms</td><td>60000</td><td>after this without data a source split stops holding back the watermark</td></tr>
 * <tr><td>--coaching.enabled</td><td>true</td><td>run the coaching rules and send events</td></tr>
 * <tr><td>--coaching.rules</td><td>the built-in rules</td><td>a coaching-rules YAML file to use instead</td></tr>
 * <tr><td>--kafka.bootstrap</td><td>127.0.0.1:9092</td><td>Kafka brokers</td></tr>
 * <tr><td>--coaching.topic</td><td>saam.coaching-events</td><td>Kafka topic of coaching events (must exist)</td></tr>
 * <tr><td>--elasticsearch.url</td><td>http://127.0.0.1:9200</td><td>Elasticsearch</td></tr>
 * <tr><td>--coaching.index</td><td>saam-coaching-events</td><td>index of coaching events</td></tr>
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
  private final java.time.Instant earliestTimestamp;
  private final Duration rateStateTtl;
  private final String redisUri;
  private final String usersUrl;
  private final String keycloakUrl;
  private final String pipelineClientSecret;
  private final int joinCacheLocations;
  private final long joinCacheExpiryMillis;
  private final long joinTimeoutMillis;
  private final Duration outOfOrderness;
  private final Duration idleness;
  private final long featureLatenessMillis;
  private final Duration idleTimeout;
  private final Duration quietAfter;
  private final Duration coachingLateAfter;
  private final boolean coachingEnabled;
  private final String coachingRulesPath;
  private final String kafkaBootstrap;
  private final String coachingTopic;
  private final String elasticsearchUrl;
  private final String coachingIndex;

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
    this.earliestTimestamp = builder.earliestTimestamp;
    this.rateStateTtl = builder.rateStateTtl;
    this.redisUri = builder.redisUri;
    this.usersUrl = builder.usersUrl;
    this.keycloakUrl = builder.keycloakUrl;
    this.pipelineClientSecret = builder.pipelineClientSecret;
    this.joinCacheLocations = builder.joinCacheLocations;
    this.joinCacheExpiryMillis = builder.joinCacheExpiryMillis;
    this.joinTimeoutMillis = builder.joinTimeoutMillis;
    this.outOfOrderness = builder.outOfOrderness;
    this.idleness = builder.idleness;
    this.featureLatenessMillis = builder.featureLatenessMillis;
    this.idleTimeout = builder.idleTimeout;
    this.quietAfter = builder.quietAfter;
    this.coachingLateAfter = builder.coachingLateAfter;
    this.coachingEnabled = builder.coachingEnabled;
    this.coachingRulesPath = builder.coachingRulesPath;
    this.kafkaBootstrap = builder.kafkaBootstrap;
    this.coachingTopic = builder.coachingTopic;
    this.elasticsearchUrl = builder.elasticsearchUrl;
    this.coachingIndex = builder.coachingIndex;
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
            environment.getOrDefault("SAAM_RABBITMQ_PIPELINE_PASSWORD", builder.rabbitPassword)));
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
    builder.rateStateTtl(
        Duration.ofMillis(
            integer(params, "limits.rate-state-ttl-ms", (int) builder.rateStateTtl.toMillis())));
    String earliest = params.get("validation.earliest");
    if (earliest != null) {
      try {
        builder.earliestTimestamp(java.time.Instant.parse(earliest));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--validation.earliest must be an ISO-8601 instant like 2000-01-01T00:00:00Z, was '"
                + earliest
                + "'");
      }
    }
    builder.redisUri(
        params.get("redis.uri", environment.getOrDefault("SAAM_REDIS_URI", builder.redisUri)));
    builder.usersUrl(params.get("users.url", builder.usersUrl));
    builder.keycloakUrl(params.get("keycloak.url", builder.keycloakUrl));
    builder.pipelineClientSecret(
        params.get(
            "pipeline.client-secret",
            environment.getOrDefault("SAAM_PIPELINE_CLIENT_SECRET", builder.pipelineClientSecret)));
    builder.joinCacheLocations(integer(params, "join.cache-locations", builder.joinCacheLocations));
    builder.joinCacheExpiryMillis(
        integer(params, "join.cache-expiry-ms", (int) builder.joinCacheExpiryMillis));
    builder.joinTimeoutMillis(integer(params, "join.timeout-ms", (int) builder.joinTimeoutMillis));
    builder.outOfOrderness(
        Duration.ofMillis(
            integer(
                params, "watermark.out-of-orderness-ms", (int) builder.outOfOrderness.toMillis())));
    builder.idleness(
        Duration.ofMillis(
            integer(params, "watermark.idleness-ms", (int) builder.idleness.toMillis())));
    builder.featureLatenessMillis(
        integer(params, "features.allowed-lateness-ms", (int) builder.featureLatenessMillis));
    builder.idleTimeout(
        Duration.ofMillis(
            integer(params, "event-time.idle-timeout-ms", (int) builder.idleTimeout.toMillis())));
    builder.quietAfter(
        Duration.ofMillis(
            integer(params, "event-time.quiet-after-ms", (int) builder.quietAfter.toMillis())));
    builder.coachingLateAfter(
        Duration.ofMillis(
            integer(params, "coaching.late-after-ms", (int) builder.coachingLateAfter.toMillis())));
    String enabled = params.get("coaching.enabled", String.valueOf(builder.coachingEnabled));
    if (!enabled.equals("true") && !enabled.equals("false")) {
      throw new IllegalArgumentException(
          "option --coaching.enabled must be true or false, was '" + enabled + "'");
    }
    builder.coachingEnabled(Boolean.parseBoolean(enabled));
    builder.coachingRulesPath(params.get("coaching.rules", builder.coachingRulesPath));
    builder.kafkaBootstrap(params.get("kafka.bootstrap", builder.kafkaBootstrap));
    builder.coachingTopic(params.get("coaching.topic", builder.coachingTopic));
    builder.elasticsearchUrl(params.get("elasticsearch.url", builder.elasticsearchUrl));
    builder.coachingIndex(params.get("coaching.index", builder.coachingIndex));
    return builder.build();
  }

  private static Duration millis(ParameterTool params, String key, Duration fallback) {
    String value = params.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Duration.ofMillis(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option --" + key + " must be a whole number of milliseconds, was '" + value + "'");
    }
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

  /** How long the source rate limit keeps a bucket's count after its last reading. */
  public Duration rateStateTtl() {
    return rateStateTtl;
  }

  /** The timestamps the parser accepts: see {@link org.saam.common.codec.TimestampWindow}. */
  public org.saam.common.codec.TimestampWindow timestampWindow() {
    return new org.saam.common.codec.TimestampWindow(
        earliestTimestamp, Duration.ofMillis(maxFutureMillis));
  }

  public String redisUri() {
    return redisUri;
  }

  public String usersUrl() {
    return usersUrl;
  }

  /** The realm that issues the job's token. */
  public String realmUrl() {
    return keycloakUrl.replaceAll("/+$", "") + "/realms/saam";
  }

  public String pipelineClientSecret() {
    return pipelineClientSecret;
  }

  public int joinCacheLocations() {
    return joinCacheLocations;
  }

  public long joinCacheExpiryMillis() {
    return joinCacheExpiryMillis;
  }

  public long joinTimeoutMillis() {
    return joinTimeoutMillis;
  }

  public Duration outOfOrderness() {
    return outOfOrderness;
  }

  public Duration idleness() {
    return idleness;
  }

  public long featureLatenessMillis() {
    return featureLatenessMillis;
  }

  /** Each home's own clock for the feature windows. */
  public org.saam.stream.functions.PersonFeatureWindows.PersonTime personTime() {
    return new org.saam.stream.functions.PersonFeatureWindows.PersonTime(
        outOfOrderness, idleTimeout, quietAfter);
  }

  /** Events whose window ended longer ago are delivered late: not pushed to the app. */
  public Duration coachingLateAfter() {
    return coachingLateAfter;
  }

  public boolean coachingEnabled() {
    return coachingEnabled;
  }

  /** The coaching-rules file, or {@code null} for the built-in rules. */
  public String coachingRulesPath() {
    return coachingRulesPath;
  }

  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  public String coachingTopic() {
    return coachingTopic;
  }

  public String elasticsearchUrl() {
    return elasticsearchUrl;
  }

  public String coachingIndex() {
    return coachingIndex;
  }

  /** Builder with the local-stack defaults; {@link #build()} validates. */
  public static final class Builder {
    private String rabbitHost = "127.0.0.1";
    private int rabbitPort = 5672;
    private String rabbitVirtualHost = "/";
    private String rabbitUser = "saam-pipeline";
    private String rabbitPassword;
    private String queue = "saam.readings";
    private int prefetch = 1000;
    private String mongoUri = "mongodb://127.0.0.1:27017";
    private String mongoDatabase = "saam";
    private int sinkBatchSize = 1000;
    private long sinkBatchIntervalMs = 1000;
    private Duration checkpointInterval = Duration.ofSeconds(5);
    private String cataloguePath;
    private long maxFutureMillis = 600_000;
    private Duration rateStateTtl = Duration.ofHours(3);
    private java.time.Instant earliestTimestamp =
        org.saam.common.codec.TimestampWindow.DEFAULT_EARLIEST;
    private String redisUri = "redis://127.0.0.1:6379";
    private String usersUrl = "http://127.0.0.1:8090";
    private String keycloakUrl = "http://127.0.0.1:8180";
    private String pipelineClientSecret = "saam-pipeline-local-secret";
    private int joinCacheLocations = 10_000;
    private long joinCacheExpiryMillis = 300_000;
    private long joinTimeoutMillis = 30_000;
    private Duration outOfOrderness = Duration.ofMinutes(2);
    private Duration idleness = Duration.ofMinutes(1);
    private long featureLatenessMillis = 7_200_000;
    private Duration idleTimeout = Duration.ofMinutes(30);
    private Duration quietAfter = Duration.ofDays(3);
    private Duration coachingLateAfter = Duration.ofHours(24);
    private boolean coachingEnabled = true;
    private String coachingRulesPath;
    private String kafkaBootstrap = "127.0.0.1:9092";
    private String coachingTopic = "saam.coaching-events";
    private String elasticsearchUrl = "http://127.0.0.1:9200";
    private String coachingIndex = "saam-coaching-events";

    private Builder() {}

    public Builder coachingEnabled(boolean value) {
      coachingEnabled = value;
      return this;
    }

    public Builder coachingRulesPath(String value) {
      coachingRulesPath = value;
      return this;
    }

    public Builder kafkaBootstrap(String value) {
      kafkaBootstrap = value;
      return this;
    }

    public Builder coachingTopic(String value) {
      coachingTopic = value;
      return this;
    }

    public Builder elasticsearchUrl(String value) {
      elasticsearchUrl = value;
      return this;
    }

    public Builder coachingIndex(String value) {
      coachingIndex = value;
      return this;
    }

    public Builder idleTimeout(Duration value) {
      idleTimeout = Objects.requireNonNull(value, "idleTimeout");
      return this;
    }

    public Builder quietAfter(Duration value) {
      quietAfter = Objects.requireNonNull(value, "quietAfter");
      return this;
    }

    public Builder coachingLateAfter(Duration value) {
      coachingLateAfter = Objects.requireNonNull(value, "coachingLateAfter");
      return this;
    }

    public Builder featureLatenessMillis(long value) {
      featureLatenessMillis = value;
      return this;
    }

    public Builder redisUri(String value) {
      redisUri = value;
      return this;
    }

    public Builder usersUrl(String value) {
      usersUrl = value;
      return this;
    }

    public Builder keycloakUrl(String value) {
      keycloakUrl = value;
      return this;
    }

    public Builder pipelineClientSecret(String value) {
      pipelineClientSecret = value;
      return this;
    }

    public Builder joinCacheLocations(int value) {
      joinCacheLocations = value;
      return this;
    }

    public Builder joinCacheExpiryMillis(long value) {
      joinCacheExpiryMillis = value;
      return this;
    }

    public Builder joinTimeoutMillis(long value) {
      joinTimeoutMillis = value;
      return this;
    }

    public Builder outOfOrderness(Duration value) {
      outOfOrderness = value;
      return this;
    }

    public Builder idleness(Duration value) {
      idleness = value;
      return this;
    }

    public Builder cataloguePath(String value) {
      cataloguePath = value == null || value.isBlank() ? null : value;
      return this;
    }

    public Builder maxFutureMillis(long value) {
      maxFutureMillis = value;
      return this;
    }

    public Builder rateStateTtl(Duration value) {
      rateStateTtl = Objects.requireNonNull(value, "rateStateTtl");
      return this;
    }

    public Builder earliestTimestamp(java.time.Instant value) {
      earliestTimestamp = Objects.requireNonNull(value, "earliestTimestamp");
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
      range(rateStateTtl.toMillis(), 60_000, 7L * 86_400_000, "limits.rate-state-ttl-ms");
      if (earliestTimestamp.isBefore(java.time.Instant.EPOCH)
          || earliestTimestamp.isAfter(java.time.Instant.parse("2100-01-01T00:00:00Z"))) {
        throw new IllegalArgumentException(
            "option --validation.earliest must lie between 1970 and 2100, was "
                + earliestTimestamp);
      }
      require(redisUri, "redis.uri");
      require(usersUrl, "users.url");
      require(keycloakUrl, "keycloak.url");
      require(pipelineClientSecret, "pipeline.client-secret");
      range(joinCacheLocations, 1, 10_000_000, "join.cache-locations");
      range(joinCacheExpiryMillis, 0, 86_400_000, "join.cache-expiry-ms");
      range(joinTimeoutMillis, 100, 600_000, "join.timeout-ms");
      range(outOfOrderness.toMillis(), 0, 86_400_000, "watermark.out-of-orderness-ms");
      range(idleness.toMillis(), 1, 86_400_000, "watermark.idleness-ms");
      range(featureLatenessMillis, 0, 86_400_000, "features.allowed-lateness-ms");
      range(idleTimeout.toMillis(), 1_000, 86_400_000, "event-time.idle-timeout-ms");
      range(quietAfter.toMillis(), 60_000, 365L * 86_400_000, "event-time.quiet-after-ms");
      if (quietAfter.compareTo(idleTimeout) < 0) {
        throw new IllegalArgumentException(
            "option --event-time.quiet-after-ms must not be shorter than"
                + " --event-time.idle-timeout-ms");
      }
      range(coachingLateAfter.toMillis(), 60_000, 36_500L * 86_400_000, "coaching.late-after-ms");
      require(kafkaBootstrap, "kafka.bootstrap");
      require(coachingTopic, "coaching.topic");
      require(coachingIndex, "coaching.index");
      if (!elasticsearchUrl.startsWith("http://") && !elasticsearchUrl.startsWith("https://")) {
        throw new IllegalArgumentException(
            "option --elasticsearch.url must start with http:// or https://");
      }
      if (coachingRulesPath != null
          && !java.nio.file.Files.isReadable(java.nio.file.Path.of(coachingRulesPath))) {
        throw new IllegalArgumentException(
            "option --coaching.rules names "
                + coachingRulesPath
                + ", which is not a readable file");
      }
      if (!redisUri.startsWith("redis://") && !redisUri.startsWith("rediss://")) {
        throw new IllegalArgumentException(
            "option --redis.uri must start with redis:// or rediss://");
      }
      if (cataloguePath != null
          && !java.nio.file.Files.isReadable(java.nio.file.Path.of(cataloguePath))) {
        throw new IllegalArgumentException(
            "option --catalogue names " + cataloguePath + ", which is not a readable file");
      }
      if (!mongoUri.startsWith("mongodb://") && !mongoUri.startsWith("mongodb+srv://")) {
        throw new IllegalArgumentException(
            "option --mongo.uri must start with mongodb:// or mongodb+srv://");
      }
      if (rabbitPassword == null || rabbitPassword.isBlank()) {
        throw new IllegalArgumentException(
            "no broker password for "
                + rabbitUser
                + ": set SAAM_RABBITMQ_PIPELINE_PASSWORD (./saam sets it for the local stack) or"
                + " pass --rabbitmq.password");
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
