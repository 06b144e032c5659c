package org.saam.common.broker;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.saam.common.codec.ReadingBatchCodec;

/**
 * The wire names of the platform: the two MQTT topic namespaces on {@code amq.topic} and their
 * routing keys (MQTT {@code /} becomes {@code .}), the readings queue, and where coaching events
 * go:
 *
 * <ul>
 *   <li>gateways publish readings: topic {@code saam/<location_id>/readings}, routing key {@code
 *       saam.<location_id>.readings} (three words);
 *   <li>people's apps receive coaching: topic {@code saam/users/<user_id>/coaching}, routing key
 *       {@code saam.users.<user_id>.coaching} (four words).
 * </ul>
 *
 * A gateway may write exactly its own readings key, so no location id can reach a coaching topic;
 * the word {@value #RESERVED_LOCATION_ID} is refused as a location id all the same, so that the two
 * namespaces never look alike.
 */
public final class Topics {
  /** The quorum queue the pipeline reads every home's readings from. */
  public static final String READINGS_QUEUE = "saam.readings";

  /** The binding of {@link #READINGS_QUEUE} on {@code amq.topic}: every home's readings key. */
  public static final String READINGS_BINDING = "saam.*.readings";

  /** The Kafka topic of coaching events (created by the platform, never by the job). */
  public static final String COACHING_EVENTS_TOPIC = "saam.coaching-events";

  /**
   * The coaching-events topic's configuration. Records are keyed per event ({@link
   * #coachingEventKey}) and the topic is compacted as well as deleted after a year: an erasure
   * writes a tombstone for each of the person's keys, and compaction removes their events within
   * {@code max.compaction.lag.ms} (a day) of it. Tombstones stay a day ({@code
   * delete.retention.ms}) so consumers that keep copies see the erasure.
   */
  public static final java.util.Map<String, String> COACHING_EVENTS_TOPIC_CONFIG =
      java.util.Map.of(
          "cleanup.policy", "compact,delete",
          "retention.ms", String.valueOf(365L * 86_400_000L),
          "segment.ms", String.valueOf(3_600_000L),
          "max.compaction.lag.ms", String.valueOf(86_400_000L),
          "delete.retention.ms", String.valueOf(86_400_000L));

  /**
   * The Kafka key of a coaching event, {@code <user_id>/<event_id>}: one key per event, so a
   * tombstone removes exactly that event. Records are still partitioned by {@code user_id} (the
   * writer chooses the partition from it), so one person's events stay in order.
   */
  public static String coachingEventKey(String userId, String eventId) {
    return userId + "/" + eventId;
  }

  /** The {@code user_id} part of a coaching event's key, or empty when it has none. */
  public static Optional<String> userOfCoachingEventKey(String key) {
    int slash = key == null ? -1 : key.indexOf('/');
    return slash > 0 ? Optional.of(key.substring(0, slash)) : Optional.empty();
  }

  /** The Elasticsearch index of coaching events. */
  public static final String COACHING_EVENTS_INDEX = "saam-coaching-events";

  /** The location id that would collide with the coaching namespace; refused everywhere. */
  public static final String RESERVED_LOCATION_ID = "users";

  /** An identifier without its anchors, for building the routing-key patterns. */
  private static final String ID =
      ReadingBatchCodec.IDENTIFIER.pattern().replaceAll("^\\^|\\$$", "");

  /** A readings routing key of any home (regular-expression text, without anchors). */
  public static final String READINGS_ROUTING_KEY_PATTERN = "saam\\." + ID + "\\.readings";

  /** A coaching routing key of any person (regular-expression text, without anchors). */
  public static final String COACHING_ROUTING_KEY_PATTERN = "saam\\.users\\." + ID + "\\.coaching";

  private static final Pattern READINGS_KEY = Pattern.compile("^saam\\.(" + ID + ")\\.readings$");

  private Topics() {}

  /** The readings routing key of one home. */
  public static String readingsRoutingKey(String locationId) {
    return "saam." + locationId + ".readings";
  }

  /** The location of a readings routing key, if the key has that shape. */
  public static Optional<String> locationOfReadingsKey(String routingKey) {
    Matcher matcher = READINGS_KEY.matcher(routingKey == null ? "" : routingKey);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** The MQTT topic of a home's readings: routing key {@link #readingsRoutingKey} on the broker. */
  public static String readingsTopic(String locationId) {
    return "saam/" + locationId + "/readings";
  }

  /** The MQTT topic a person's app subscribes to. */
  public static String coachingTopic(String userId) {
    return "saam/users/" + userId + "/coaching";
  }

  /** The coaching routing key of one person. */
  public static String coachingRoutingKey(String userId) {
    return "saam.users." + userId + ".coaching";
  }

  /** Whether {@code locationId} may be used: the identifier pattern, and not reserved. */
  public static boolean isUsableLocationId(String locationId) {
    return locationId != null
        && ReadingBatchCodec.IDENTIFIER.matcher(locationId).matches()
        && !RESERVED_LOCATION_ID.equals(locationId);
  }
}
