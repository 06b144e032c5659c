package org.saam.views.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.saam.views.query.Row;

class FormatsTest {
  private static final Instant TS = Instant.parse("2026-11-22T06:59:00Z");

  private static String csv(List<Row> rows) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Formats.write("csv", "microhub_bed", rows, null, null, new ObjectMapper(), out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void csvHasAHeaderAndCrlfLineEnds() throws Exception {
    String text = csv(List.of(new Row(TS, "bed.presence", 1.0, "loc-1", null)));

    assertThat(text)
        .isEqualTo(
            Formats.CSV_HEADER + "\r\n" + "2026-11-22T06:59:00Z,bed.presence,1.0,loc-1,\r\n");
  }

  @Test
  void csvQuotesAValueWithACommaAQuoteAndALineBreakAndReadsBackTheSame() throws Exception {
    String awkward = "kitchen, \"left\" scale\nsecond line";
    String text = csv(List.of(new Row(TS, awkward, -0.5, "loc-1", "u-1")));

    assertThat(text).contains("\"kitchen, \"\"left\"\" scale\nsecond line\"");
    MappingIterator<String[]> rows =
        new CsvMapper()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .readerFor(String[].class)
            .readValues(text);
    assertThat(rows.next()).containsExactly("ts", "source_id", "value", "location_id", "user_id");
    assertThat(rows.next())
        .containsExactly("2026-11-22T06:59:00Z", awkward, "-0.5", "loc-1", "u-1");
    assertThat(rows.hasNext()).isFalse();
  }
}
