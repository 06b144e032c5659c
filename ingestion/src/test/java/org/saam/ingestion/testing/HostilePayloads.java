package org.saam.ingestion.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

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
  public static Arbitrary<byte[]> bytes() {
    Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
    Arbitrary<byte[]> text =
        Arbitraries.strings().all().ofMaxLength(512).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> nested =
        Arbitraries.integers()
            .between(1, 100_000)
            .map(depth -> "[".repeat(depth).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> oversize =
        Arbitraries.integers()
            .between(256 * 1024 - 2, 256 * 1024 + 2)
            .map(n -> ("{\"a\":\"" + "x".repeat(n) + "\"}").getBytes(StandardCharsets.UTF_8));
    return Arbitraries.frequencyOf(
        Tuple.of(5, binary), Tuple.of(5, text), Tuple.of(1, nested), Tuple.of(1, oversize));
  }

  /** Any JSON document, of any shape, up to a small depth. */
  public static Arbitrary<String> jsonDocuments() {
    return jsonValue(4);
  }

  private static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            strings().map(HostilePayloads::quote),
            numbers(),
            Arbitraries.of("true", "false", "null"));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> array =
        jsonValue(depth - 1).list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
    Arbitrary<String> object =
        Combinators.combine(
                Arbitraries.oneOf(strings(), Arbitraries.of(fieldNames())), jsonValue(depth - 1))
            .as((key, value) -> quote(key) + ":" + value)
            .list()
            .ofMaxSize(6)
            .map(fields -> "{" + String.join(",", fields) + "}");
    return Arbitraries.oneOf(scalar, array, object);
  }

  /** Batches of the contract's shape with something hostile, or nothing, in each field. */
  public static Arbitrary<Batch> batches() {
    Arbitrary<String> readings = reading().list().ofMaxSize(12).map(HostilePayloads::joined);
    return Combinators.combine(
            field(identifiers()),
            field(Arbitraries.just(quote(LOCATION))),
            field(timestamps()),
            field(seqs()),
            Arbitraries.frequencyOf(Tuple.of(12, readings), Tuple.of(1, jsonValue(1))))
        .as(
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
  private static Arbitrary<String> reading() {
    Arbitrary<String> object =
        Combinators.combine(field(sourceIds()), field(timestamps()), field(values()))
            .as(
                (source, ts, value) -> {
                  StringBuilder json = new StringBuilder("{");
                  append(json, "source_id", source);
                  append(json, "ts", ts);
                  append(json, "value", value);
                  return json.append('}').toString();
                });
    return Arbitraries.frequencyOf(Tuple.of(20, object), Tuple.of(1, jsonValue(1)));
  }

  /** Mostly present with a value from {@code values}, sometimes missing or of another type. */
  private static Arbitrary<String> field(Arbitrary<String> values) {
    return Arbitraries.frequencyOf(Tuple.of(16, values), Tuple.of(1, jsonValue(0)))
        .injectNull(0.05);
  }

  private static Arbitrary<String> identifiers() {
    return Arbitraries.oneOf(
        Arbitraries.of("gw-1", "gw-0001", "a", "x".repeat(63)).map(HostilePayloads::quote),
        strings().map(HostilePayloads::quote));
  }

  private static Arbitrary<String> sourceIds() {
    return Arbitraries.oneOf(
        Arbitraries.of(
                "bed.presence",
                "bracelet.hr",
                "ecg.rr_interval",
                "ambient.temperature_c",
                "feature.sleep.efficiency",
                "")
            .map(HostilePayloads::quote),
        strings().map(HostilePayloads::quote));
  }

  /** Instants as text: valid ones, and every kind of broken or extreme one. */
  public static Arbitrary<String> timestampTexts() {
    Arbitrary<String> built =
        Combinators.combine(
                Arbitraries.oneOf(
                    Arbitraries.integers().between(1999, 2030),
                    Arbitraries.integers().between(0, 99_999),
                    Arbitraries.of(-1, 9999, 10_000, 123_456_789, 999_999_999)),
                Arbitraries.integers().between(0, 13),
                Arbitraries.integers().between(0, 32),
                Arbitraries.integers().between(0, 25),
                Arbitraries.integers().between(0, 61),
                Arbitraries.of(
                    "", ":00", ":59", ":60", ":00.250", ":00.123456789", ":00.1234567890", ".5"),
                Arbitraries.of(
                    "Z",
                    "z",
                    "+01:00",
                    "-05:30",
                    "+18:00",
                    "+19:00",
                    "+01:00:30",
                    "",
                    "+0100",
                    "[Europe/Ljubljana]"))
            .as(
                (year, month, day, hour, minute, seconds, zone) ->
                    (year < 0 ? "-" + pad(-year, 4) : year > 9999 ? "+" + year : pad(year, 4))
                        + "-"
                        + pad(month, 2)
                        + "-"
                        + pad(day, 2)
                        + (hour == 25 ? "t" : "T")
                        + pad(hour % 25, 2)
                        + ":"
                        + pad(minute, 2)
                        + seconds
                        + zone);
    return Arbitraries.oneOf(
        built,
        Arbitraries.of(
            "2026-11-22T06:59:00Z",
            "+123456789-01-01T00:00:00Z",
            "-999999999-01-01T00:00:00Z",
            "2026-11-22T06:59:00\u0660Z",
            "２０２６-11-22T06:59:00Z",
            "2026-11-22",
            "1732258740000"),
        strings());
  }

  private static Arbitrary<String> timestamps() {
    return timestampTexts().map(HostilePayloads::quote);
  }

  private static Arbitrary<String> seqs() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.of(
            "0",
            "-1",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "1e3",
            "1.0",
            "1.5",
            "123456789012345678901234567890"));
  }

  private static Arbitrary<String> values() {
    return Arbitraries.oneOf(numbers(), strings().map(HostilePayloads::quote));
  }

  private static Arbitrary<String> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.integers().between(-100, 300).map(String::valueOf),
        Arbitraries.of(
            "1e400",
            "-1e400",
            "1e-400",
            "-0",
            "0.0",
            "4.9e-324",
            "1.7976931348623157e308",
            "123456789012345678901234567890123456789",
            "9".repeat(1200)));
  }

  /** Strings of every kind: empty, control characters, surrogates, dots, very long. */
  private static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.', '#', '*').ofMaxLength(70),
        Arbitraries.of("", " ", "\u0000", "\uD800", "users", "loc-1.readings", "$where", "a.b"),
        Arbitraries.integers().between(1_000, 70_000).map("y"::repeat));
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
