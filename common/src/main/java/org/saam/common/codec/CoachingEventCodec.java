package org.saam.common.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.saam.common.records.CoachingEvent;

/**
 * Coaching events on the wire (ARCHITECTURE.md, contract 5): UTF-8 JSON, snake_case fields,
 * instants as ISO-8601 strings. The same bytes go to Kafka, the app (MQTT) and Elasticsearch.
 */
public final class CoachingEventCodec {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private CoachingEventCodec() {}

  public static byte[] encode(CoachingEvent event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (IOException e) {
      throw new UncheckedIOException("a coaching event could not be written as JSON", e);
    }
  }

  /**
   * Reads one event; unknown fields are ignored so consumers keep working when fields are added.
   *
   * @throws IllegalArgumentException when the bytes are not a coaching event
   */
  public static CoachingEvent decode(byte[] json) {
    try {
      CoachingEvent event = JSON.readValue(json, CoachingEvent.class);
      if (event.eventId() == null || event.userId() == null || event.ts() == null) {
        throw new IllegalArgumentException("a coaching event needs event_id, user_id and ts");
      }
      return event;
    } catch (IOException | NullPointerException e) {
      throw new IllegalArgumentException("not a coaching event: " + e.getMessage(), e);
    }
  }
}
