package org.saam.views.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.saam.views.query.Cursor;
import org.saam.views.query.Row;

/**
 * Writes rows as NDJSON (one object a line), CSV (RFC 4180, with a header) or one JSON document.
 */
public final class Formats {
  static final String CSV_HEADER = "ts,source_id,value,location_id,user_id";

  /** RFC 4180: a header, CRLF line ends, fields with a comma, quote or line break quoted. */
  private static final ObjectWriter CSV_ROWS =
      new CsvMapper()
          .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .writerFor(Object[].class)
          .with(
              CsvSchema.builder()
                  .addColumn("ts")
                  .addColumn("source_id")
                  .addColumn("value", CsvSchema.ColumnType.NUMBER)
                  .addColumn("location_id")
                  .addColumn("user_id")
                  .setUseHeader(true)
                  .setLineSeparator("\r\n")
                  .setNullValue("")
                  .build());

  private Formats() {}

  public static String contentType(String format) {
    return switch (format) {
      case "csv" -> "text/csv; charset=utf-8";
      case "json" -> "application/json";
      default -> "application/x-ndjson";
    };
  }

  public static void write(
      String format,
      String view,
      List<Row> rows,
      Cursor next,
      ZoneId zone,
      ObjectMapper json,
      OutputStream out)
      throws IOException {
    switch (format) {
      case "csv" -> {
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        try (SequenceWriter csv = CSV_ROWS.writeValues(writer)) {
          for (Row row : rows) {
            csv.write(
                new Object[] {
                  time(row, zone), row.sourceId(), row.value(), row.locationId(), row.userId()
                });
          }
        }
      }
      case "json" -> {
        JsonGenerator generator = json.getFactory().createGenerator(out);
        generator.writeStartObject();
        generator.writeStringField("view", view);
        generator.writeArrayFieldStart("rows");
        for (Row row : rows) {
          object(generator, row, zone);
        }
        generator.writeEndArray();
        generator.writeStringField("next_cursor", next == null ? null : next.encode());
        generator.writeEndObject();
        generator.flush();
      }
      default -> {
        for (Row row : rows) {
          JsonGenerator generator = json.getFactory().createGenerator(out);
          object(generator, row, zone);
          generator.flush();
          out.write('\n');
        }
        out.flush();
      }
    }
  }

  private static void object(JsonGenerator generator, Row row, ZoneId zone) throws IOException {
    generator.writeStartObject();
    generator.writeStringField("ts", time(row, zone));
    generator.writeStringField("source_id", row.sourceId());
    generator.writeNumberField("value", row.value());
    generator.writeStringField("location_id", row.locationId());
    generator.writeStringField("user_id", row.userId());
    generator.writeEndObject();
  }

  private static String time(Row row, ZoneId zone) {
    return zone == null
        ? DateTimeFormatter.ISO_INSTANT.format(row.ts())
        : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(row.ts().atZone(zone));
  }
}
