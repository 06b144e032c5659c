package org.saam.views.query;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.ViewDefinition;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.servicekit.http.ProblemException;

/**
 * Turns query-string parameters into a {@link ViewQuery}, refusing with 400 what it cannot accept:
 * every value is checked against what it may be (an identifier pattern, a UUID, a source of the
 * view, an ISO-8601 instant), so nothing a client sends reaches MongoDB as an operator.
 */
public final class QueryParameters {
  /** What the data endpoint accepts. */
  public static final Set<String> DATA_PARAMETERS =
      Set.of(
          "location_id", "user_id", "source_id", "from", "to", "format", "cursor", "limit", "tz");

  /** What the summary endpoint accepts. */
  public static final Set<String> SUMMARY_PARAMETERS =
      Set.of("location_id", "user_id", "source_id", "from", "to", "bucket");

  public static final Set<String> FORMATS = Set.of("ndjson", "csv", "json");

  private final SourceCatalogue catalogue;
  private final int maxRows;
  private final Duration maxRange;

  /**
   * @param maxRows the hard cap of rows per request
   * @param maxRange the longest time range of one data request
   */
  public QueryParameters(SourceCatalogue catalogue, int maxRows, Duration maxRange) {
    this.catalogue = catalogue;
    this.maxRows = maxRows;
    this.maxRange = maxRange;
  }

  public ViewDefinition view(String name) {
    return catalogue
        .view(name)
        .orElseThrow(
            () ->
                ProblemException.notFound("no view '" + name + "'; GET /v1/views lists the views"));
  }

  /** A data query; {@code maxRange} applies. */
  public ViewQuery data(String viewName, Map<String, List<String>> params) {
    return parse(viewName, params, DATA_PARAMETERS, true);
  }

  /** A summary query: no row cap and no range cap here (the bucket count is checked instead). */
  public ViewQuery summary(String viewName, Map<String, List<String>> params) {
    return parse(viewName, params, SUMMARY_PARAMETERS, false);
  }

  private ViewQuery parse(
      String viewName, Map<String, List<String>> params, Set<String> allowed, boolean capped) {
    ViewDefinition view = view(viewName);
    for (String name : params.keySet()) {
      if (!allowed.contains(name)) {
        throw ProblemException.badRequest(
            "unknown parameter '" + name + "'; parameters are " + allowed);
      }
    }
    String location = single(params, "location_id");
    String user = single(params, "user_id");
    if ((location == null) == (user == null)) {
      throw ProblemException.badRequest("give exactly one of location_id and user_id");
    }
    if (location != null && !ReadingBatchCodec.IDENTIFIER.matcher(location).matches()) {
      throw ProblemException.badRequest(
          "location_id '" + location + "' must match " + ReadingBatchCodec.IDENTIFIER.pattern());
    }
    if (user != null) {
      try {
        user = UUID.fromString(user).toString();
      } catch (IllegalArgumentException e) {
        throw ProblemException.badRequest("user_id '" + user + "' is not a UUID");
      }
    }
    List<String> sources = new ArrayList<>();
    String sourceList = single(params, "source_id");
    if (sourceList == null) {
      sources.addAll(view.sources());
    } else {
      for (String source : Arrays.asList(sourceList.split(","))) {
        if (!view.sources().contains(source.trim())) {
          throw ProblemException.badRequest(
              "source_id '"
                  + source.trim()
                  + "' is not in view '"
                  + view.name()
                  + "'; its sources are "
                  + view.sources());
        }
        sources.add(source.trim());
      }
    }
    Instant from = instant(params, "from");
    Instant to = instant(params, "to");
    if (!from.isBefore(to)) {
      throw ProblemException.badRequest("from (" + from + ") must be before to (" + to + ")");
    }
    if (capped && Duration.between(from, to).compareTo(maxRange) > 0) {
      throw ProblemException.badRequest(
          "from..to spans "
              + Duration.between(from, to).toDays()
              + " days; one data request covers at most "
              + maxRange.toDays()
              + " days: split the range, or use /v1/views/"
              + view.name()
              + "/summary for long ranges");
    }
    String format = single(params, "format");
    format = format == null ? "ndjson" : format;
    if (!FORMATS.contains(format)) {
      throw ProblemException.badRequest("format '" + format + "' is not one of " + FORMATS);
    }
    String cursorText = single(params, "cursor");
    Cursor cursor = cursorText == null ? null : Cursor.decode(cursorText);
    int limit = maxRows;
    String limitText = single(params, "limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        throw ProblemException.badRequest("limit '" + limitText + "' is not a whole number");
      }
      if (limit < 1 || limit > maxRows) {
        throw ProblemException.badRequest(
            "limit must be between 1 and "
                + maxRows
                + "; for more rows, follow the cursor in the"
                + " X-Next-Cursor header page by page");
      }
    }
    String tz = single(params, "tz");
    ZoneId zone = null;
    if (tz != null) {
      if (!ZoneId.getAvailableZoneIds().contains(tz) && !tz.equals("UTC")) {
        throw ProblemException.badRequest(
            "tz '" + tz + "' is not an IANA time zone such as Europe/Rome");
      }
      zone = ZoneId.of(tz);
    }
    return new ViewQuery(
        view, location, user, List.copyOf(sources), from, to, format, cursor, limit, zone);
  }

  /** A bucket width such as PT1H or P1D. */
  public static Duration bucket(Map<String, List<String>> params) {
    String text = single(params, "bucket");
    if (text == null) {
      throw ProblemException.badRequest("bucket is required, for example PT1H or P1D");
    }
    try {
      Duration bucket = Duration.parse(text); // days too: P1D is 24 hours
      if (bucket.compareTo(Duration.ofMinutes(1)) < 0
          || bucket.compareTo(Duration.ofDays(366)) > 0) {
        throw ProblemException.badRequest("bucket must be between PT1M and P366D, was " + text);
      }
      return bucket;
    } catch (DateTimeParseException e) {
      throw ProblemException.badRequest(
          "bucket '" + text + "' is not an ISO-8601 duration such as PT1H or P1D");
    }
  }

  private static String single(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ProblemException.badRequest("give parameter '" + name + "' once");
    }
    String value = values.get(0);
    if (value.contains("$") || value.contains("{")) {
      throw ProblemException.badRequest(
          "parameter '"
              + name
              + "' contains '$' or '{': values are plain identifiers, times and names");
    }
    return value.isBlank() ? null : value.trim();
  }

  private static Instant instant(Map<String, List<String>> params, String name) {
    String value = single(params, name);
    if (value == null) {
      throw ProblemException.badRequest(
          name + " is required, ISO-8601 with a zone like 2026-11-22T00:00:00Z");
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ProblemException.badRequest(
          name + " '" + value + "' is not ISO-8601 with a zone, like 2026-11-22T00:00:00Z");
    }
  }
}
