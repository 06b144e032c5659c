package org.saam.common.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A coaching event (ARCHITECTURE.md, contract 5). {@code eventId} is deterministic (rule, person,
 * window), so a replay yields the same id and consumers deduplicate.
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
    List<Evidence> evidence) {

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
}
