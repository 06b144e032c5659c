package org.saam.common.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * A person living at a location for a period, {@code [valid_from, valid_to)}; {@code valid_to}
 * {@code null} means until further notice. Carries the person's time zone, which the pipeline needs
 * to cut their days.
 */
public record Assignment(
    @JsonProperty("assignment_id") UUID id,
    @JsonProperty("location_id") String locationId,
    @JsonProperty("user_id") UUID userId,
    @JsonProperty("valid_from") Instant validFrom,
    @JsonProperty("valid_to") Instant validTo,
    @JsonProperty("time_zone") String timeZone) {

  /** Whether the person lived there at {@code at}. */
  public boolean covers(Instant at) {
    return !at.isBefore(validFrom) && (validTo == null || at.isBefore(validTo));
  }
}
