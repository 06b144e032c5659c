package org.saam.common.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A coaching event (ARCHITECTURE.md, contract 5). {@code eventId} is deterministic (rule, person,
 * window), so a replay yields the same id and consumers deduplicate.
 *
 * <p>{@code deliveredLate}: the event's window ended long before it was decided (a home that
 * uploaded a backlog): it goes to the log (Kafka, Elasticsearch) but is not pushed to the app.
 */
public record CoachingEvent(
    @JsonProperty("event_id") String eventId,
    @JsonProperty("user_id") String userId,
    @JsonProperty("location_id") String locationId,
    String domain,
    @JsonProperty("rule_id") String ruleId,
    String severity,
    Instant ts,
    @JsonProperty("message_key") String messageKey,
    List<Evidence> evidence,
    @JsonProperty("delivered_late") boolean deliveredLate) {

  /** One window that made the rule fire. */
  public record Evidence(
      @JsonProperty("source_id") String sourceId,
      @JsonProperty("window_start") Instant windowStart,
      @JsonProperty("window_end") Instant windowEnd,
      double value,
      Double baseline) {}

  public CoachingEvent {
    evidence = List.copyOf(evidence);
  }

  /** The same event, marked delivered late. */
  public CoachingEvent markedLate() {
    return new CoachingEvent(
        eventId, userId, locationId, domain, ruleId, severity, ts, messageKey, evidence, true);
  }
}
