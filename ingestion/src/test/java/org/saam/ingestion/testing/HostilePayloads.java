package org.saam.ingestion.testing;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * Generators of what a hostile or broken gateway might send, for property-based tests of the codec,
 * the schema and the parser: arbitrary bytes, arbitrary JSON shapes, and batches of the contract's
 * shape with arbitrary strings, extreme numbers and instants in every field.
 */
public final class HostilePayloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The location every generated batch claims (routing key {@code saam.loc-1.readings}). */
  public static final String LOCATION = "loc-1";

  private HostilePayloads() {}

  /** A batch as text and how many elements its {@code readings} array has (-1 if none). */
  public record Batch(String json, int readingCount) {
    public byte[] bytes() {
      return json.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return json.length() > 2000 ? json.substring(0, 2000) + "..." : json;
    }
  }

  /** Any bytes: short, long, mostly binary, some almost JSON. */
  public static Gen<byte[]> bytes() {
    Gen<byte[]> binary =
        Generate.byteArrays(
            Generate.range(0, 2048), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    Gen<byte[]> text = anyStrings(512).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Gen<byte[]> nested =
        Generate.range(1, 100_000).map(depth -> "[".repeat(depth).getBytes(StandardCharsets.UTF_8));
    Gen<byte[]> oversize =
        Generate.range(256 * 1024 - 2, 256 * 1024 + 2)
            .map(n -> ("{\"a\":\"" + "x".repeat(n) + "\"}").getBytes(StandardCharsets.UTF_8));
    return Generate.frequency(
        Pair.of(5, binary), Pair.of(5, text), Pair.of(1, nested), Pair.of(1, oversize));
  }

  /** Any JSON document, of any shape, up to a small depth. */
  public static Gen<String> jsonDocuments() {
    return jsonValue(4);
  }

  private static Gen<String> jsonValue(int depth) {
    Gen<String> scalar =
        Generate.oneOf(
            strings().map(HostilePayloads::quote),
            numbers(),
            Generate.pick(List.of("true", "false", "null")));
    if (depth == 0) {
      return scalar;
    }
    Gen<String> array =
        lists()
            .of(jsonValue(depth - 1))
            .ofSizeBetween(0, 4)
            .map(items -> "[" + String.join(",", items) + "]");
    Gen<String> object =
        lists()
            .of(
                Generate.oneOf(strings(), Generate.pick(fieldNames()))
                    .zip(jsonValue(depth - 1), (key, value) -> quote(key) + ":" + value))
            .ofSizeBetween(0, 6)
            .map(fields -> "{" + String.join(",", fields) + "}");
    return Generate.oneOf(scalar, array, object);
  }

  /** Batches of the contract's shape with something hostile, or nothing, in each field. */
  public static Gen<Batch> batches() {
    Gen<String> readings = lists().of(reading()).ofSizeBetween(0, 12).map(HostilePayloads::joined);
    Gen<String> readingsField = Generate.frequency(Pair.of(12, readings), Pair.of(1, jsonValue(1)));
    return field(identifiers())
        .zip(
            field(Generate.constant(quote(LOCATION))),
            field(timestamps()),
            field(seqs()),
            readingsField,
            (gateway, location, sentAt, seq, readingsJson) -> {
              StringBuilder json = new StringBuilder("{");
              append(json, "gateway_id", gateway);
              append(json, "location_id", location);
              append(json, "sent_at", sentAt);
              append(json, "seq", seq);
              append(json, "readings", readingsJson);
              json.append('}');
              return new Batch(json.toString(), count(readingsJson));
            });
  }

  /** One reading: a JSON object with hostile fields, or sometimes not an object at all. */
  private static Gen<String> reading() {
    Gen<String> object =
        field(sourceIds())
            .zip(
                field(timestamps()),
                field(values()),
                (source, ts, value) -> {
                  StringBuilder json = new StringBuilder("{");
                  append(json, "source_id", source);
                  append(json, "ts", ts);
                  append(json, "value", value);
                  return json.append('}').toString();
                });
    return Generate.frequency(Pair.of(20, object), Pair.of(1, jsonValue(1)));
  }

  /** Mostly present with a value from {@code values}, sometimes missing or of another type. */
  private static Gen<String> field(Gen<String> values) {
    Gen<String> present = Generate.frequency(Pair.of(16, values), Pair.of(1, jsonValue(0)));
    return present.toOptionals(5).map(value -> value.orElse(null)); // 5 % missing
  }

  private static Gen<String> identifiers() {
    return Generate.oneOf(
        Generate.pick(List.of("gw-1", "gw-0001", "a", "x".repeat(63))).map(HostilePayloads::quote),
        strings().map(HostilePayloads::quote));
  }

  private static Gen<String> sourceIds() {
    return Generate.oneOf(
        Generate.pick(
                List.of(
                    "bed.presence",
                    "bracelet.hr",
                    "ecg.rr_interval",
                    "ambient.temperature_c",
                    "feature.sleep.efficiency",
                    ""))
            .map(HostilePayloads::quote),
        strings().map(HostilePayloads::quote));
  }

  /** Instants as text: valid ones, and every kind of broken or extreme one. */
  public static Gen<String> timestampTexts() {
    Gen<Integer> years =
        Generate.oneOf(
            Generate.range(1999, 2030),
            Generate.range(0, 99_999),
            Generate.pick(List.of(-1, 9999, 10_000, 123_456_789, 999_999_999)));
    Gen<int[]> dateAndTime =
        years.zip(
            Generate.range(0, 13),
            Generate.range(0, 32),
            Generate.range(0, 25),
            Generate.range(0, 61),
            (year, month, day, hour, minute) -> new int[] {year, month, day, hour, minute});
    Gen<String> built =
        dateAndTime.zip(
            Generate.pick(
                List.of(
                    "", ":00", ":59", ":60", ":00.250", ":00.123456789", ":00.1234567890", ".5")),
            Generate.pick(
                List.of(
                    "Z",
                    "z",
                    "+01:00",
                    "-05:30",
                    "+18:00",
                    "+19:00",
                    "+01:00:30",
                    "",
                    "+0100",
                    "[Europe/Ljubljana]")),
            (fields, seconds, zone) -> {
              int year = fields[0];
              int hour = fields[3];
              return (year < 0 ? "-" + pad(-year, 4) : year > 9999 ? "+" + year : pad(year, 4))
                  + "-"
                  + pad(fields[1], 2)
                  + "-"
                  + pad(fields[2], 2)
                  + (hour == 25 ? "t" : "T")
                  + pad(hour % 25, 2)
                  + ":"
                  + pad(fields[4], 2)
                  + seconds
                  + zone;
            });
    return Generate.oneOf(
        built,
        Generate.pick(
            List.of(
                "2026-11-22T06:59:00Z",
                "+123456789-01-01T00:00:00Z",
                "-999999999-01-01T00:00:00Z",
                "2026-11-22T06:59:00\u0660Z",
                "２０２６-11-22T06:59:00Z",
                "2026-11-22",
                "1732258740000")),
        strings());
  }

  private static Gen<String> timestamps() {
    return timestampTexts().map(HostilePayloads::quote);
  }

  private static Gen<String> seqs() {
    return Generate.oneOf(
        longs().all().map(n -> String.valueOf(n)),
        Generate.pick(
            List.of(
                "0",
                "-1",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775809",
                "1e3",
                "1.0",
                "1.5",
                "123456789012345678901234567890")));
  }

  private static Gen<String> values() {
    return Generate.oneOf(numbers(), strings().map(HostilePayloads::quote));
  }

  private static Gen<String> numbers() {
    return Generate.oneOf(
        doubles().any().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"),
        longs().all().map(n -> String.valueOf(n)),
        Generate.range(-100, 300).map(n -> String.valueOf(n)),
        Generate.pick(
            List.of(
                "1e400",
                "-1e400",
                "1e-400",
                "-0",
                "0.0",
                "4.9e-324",
                "1.7976931348623157e308",
                "123456789012345678901234567890123456789",
                "9".repeat(1200))));
  }

  /** Strings of every kind: empty, control characters, surrogates, dots, very long. */
  private static Gen<String> strings() {
    List<Character> identifierChars = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) {
      identifierChars.add(c);
    }
    identifierChars.addAll(List.of('-', '.', '#', '*'));
    Gen<String> identifierLike =
        lists()
            .of(Generate.pick(identifierChars))
            .ofSizeBetween(0, 70)
            .map(
                chars -> {
                  StringBuilder text = new StringBuilder();
                  chars.forEach(text::append);
                  return text.toString();
                });
    return Generate.oneOf(
        anyStrings(40),
        identifierLike,
        Generate.pick(
            List.of("", " ", "\u0000", "\uD800", "users", "loc-1.readings", "$where", "a.b")),
        Generate.range(1_000, 70_000).map("y"::repeat));
  }

  /** Any code points, lone surrogates among them, up to {@code maxLength}. */
  private static Gen<String> anyStrings(int maxLength) {
    return SourceDSL.strings().allPossible().ofLengthBetween(0, maxLength);
  }

  private static List<String> fieldNames() {
    return List.of("gateway_id", "location_id", "sent_at", "seq", "readings", "source_id", "ts");
  }

  private static void append(StringBuilder json, String name, String value) {
    if (value == null) {
      return;
    }
    if (json.length() > 1) {
      json.append(',');
    }
    json.append(quote(name)).append(':').append(value);
  }

  private static String joined(List<String> items) {
    return "[" + String.join(",", items) + "]";
  }

  private static int count(String readingsJson) {
    try {
      var node = JSON.readTree(readingsJson);
      return node.isArray() ? node.size() : -1;
    } catch (JsonProcessingException e) {
      return -1;
    }
  }

  private static String pad(int value, int width) {
    String text = String.valueOf(value);
    return text.length() >= width ? text : "0".repeat(width - text.length()) + text;
  }

  private static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Java string always has a JSON form", e);
    }
  }
}
