package org.saam.users.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.saam.servicekit.http.BoundedBody;
import org.saam.servicekit.http.ProblemException;

/** Reading request bodies and parameters, with problem answers for what cannot be read. */
final class Bodies {
  /** The largest JSON body any endpoint accepts: profiles and assignments are small. */
  static final int MAX_JSON_BYTES = 64 * 1024;

  private Bodies() {}

  static JsonNode json(Context ctx, ObjectMapper json) {
    String contentType = String.valueOf(ctx.contentType());
    if (!contentType.startsWith("application/json")) {
      throw new ProblemException(
          415,
          "Unsupported media type",
          "send the body as application/json, not '" + contentType + "'");
    }
    byte[] bytes = BoundedBody.read(ctx, MAX_JSON_BYTES, "the body");
    JsonNode body;
    try {
      body = json.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest(
          "the body is not valid JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"));
    } catch (java.io.IOException e) {
      throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
    }
    if (body == null || body.isMissingNode()) {
      throw ProblemException.badRequest("the body is empty; send a JSON object");
    }
    return body;
  }

  static UUID uuid(String value, String what) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw ProblemException.notFound(what + " '" + value + "' is not a UUID");
    }
  }

  static Instant instant(String value, String field) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException | NullPointerException e) {
      throw ProblemException.badRequest(
          field + " '" + value + "' is not ISO-8601 with a zone, like 2026-11-22T07:00:00Z");
    }
  }
}
