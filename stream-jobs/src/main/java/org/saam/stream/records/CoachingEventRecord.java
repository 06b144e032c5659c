package org.saam.stream.records;

import org.saam.common.codec.CoachingEventCodec;
import org.saam.common.records.CoachingEvent;

/**
 * A coaching event as it travels between the job's operators: the fields the sinks route by, and
 * the event's wire JSON (the same bytes go to Kafka, MQTT and Elasticsearch).
 *
 * @param eventId deterministic id (rule, person, window)
 * @param userId the person, Kafka key and MQTT topic
 * @param ruleId the rule that fired
 * @param tsMillis when the event is due (after quiet hours), epoch milliseconds
 * @param json the event, {@link CoachingEventCodec} JSON
 * @param late whether the event is delivered late: logged, not pushed to the app
 */
public record CoachingEventRecord(
    String eventId, String userId, String ruleId, long tsMillis, String json, boolean late) {

  public static CoachingEventRecord of(CoachingEvent event) {
    return new CoachingEventRecord(
        event.eventId(),
        event.userId(),
        event.ruleId(),
        event.ts().toEpochMilli(),
        new String(CoachingEventCodec.encode(event), java.nio.charset.StandardCharsets.UTF_8),
        event.deliveredLate());
  }

  /** The record of an event's wire JSON (as kept in state), without encoding it again. */
  public static CoachingEventRecord fromJson(String json) {
    CoachingEvent event =
        CoachingEventCodec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new CoachingEventRecord(
        event.eventId(),
        event.userId(),
        event.ruleId(),
        event.ts().toEpochMilli(),
        json,
        event.deliveredLate());
  }

  public CoachingEvent event() {
    return CoachingEventCodec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
