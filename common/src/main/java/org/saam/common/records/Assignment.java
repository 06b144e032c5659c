package org.saam.common.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * A person living at a location for a period, {@code [valid_from, valid_to)}; {@code valid_to}
 * {@code null} means until further notice. Carries the person's time zone, which the pipeline needs
 * to cut their days.
 *
 * <p>An <em>erased period</em> ({@code erased: true}, no id, person or time zone) is what remains
 * of the assignment of a person who was erased: readings of the location during it belonged to that
 * person and must not be stored or used, also when they arrive late.
 */
public record Assignment(
    @JsonProperty("assignment_id") UUID id,
    @JsonProperty("location_id") String locationId,
    @JsonProperty("user_id") UUID userId,
    @JsonProperty("valid_from") Instant validFrom,
    @JsonProperty("valid_to") Instant validTo,
    @JsonProperty("time_zone") String timeZone,
    @JsonProperty("erased") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean erased) {

  /** A person's assignment. */
  public Assignment(
      UUID id,
      String locationId,
      UUID userId,
      Instant validFrom,
      Instant validTo,
      String timeZone) {
    this(id, locationId, userId, validFrom, validTo, timeZone, false);
  }

  /** The period during which an erased person lived at the location. */
  public static Assignment erasedPeriod(String locationId, Instant validFrom, Instant validTo) {
    return new Assignment(null, locationId, null, validFrom, validTo, null, true);
  }

  /** Whether the person lived there at {@code at}. */
  public boolean covers(Instant at) {
    return !at.isBefore(validFrom) && (validTo == null || at.isBefore(validTo));
  }
}
