package org.saam.views.query;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.saam.servicekit.http.ProblemException;

/** Where the next page starts: just after this row (time, source, location). Opaque to clients. */
public record Cursor(Instant ts, String sourceId, String locationId) {

  public static Cursor after(Row row) {
    return new Cursor(row.ts(), row.sourceId(), row.locationId());
  }

  public String encode() {
    String text = ts.toEpochMilli() + "|" + sourceId + "|" + (locationId == null ? "" : locationId);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  public static Cursor decode(String value) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|", -1);
      if (parts.length != 3) {
        throw new IllegalArgumentException("three parts expected");
      }
      return new Cursor(
          Instant.ofEpochMilli(Long.parseLong(parts[0])),
          parts[1],
          parts[2].isEmpty() ? null : parts[2]);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          "cursor '"
              + value
              + "' is not one this service gave out; use X-Next-Cursor of the previous page");
    }
  }

  /** Whether a row comes after this cursor. */
  public boolean before(Row row) {
    return row.compareTo(new Row(ts, sourceId, 0, locationId, null)) > 0;
  }
}
