package org.saam.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceDefinition;
import org.saam.common.catalogue.SourceKind;
import org.saam.common.codec.DecodedBatch;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;

/**
 * The gateway codec and the catalogue checks the parser applies to every reading: a typical batch
 * (46 readings, as the simulator sends), a full one (1,000 readings), and a hostile one (200
 * readings in five kinds of wrong: four the codec refuses, and a source id that is well formed JSON
 * but no source, which the catalogue check refuses in the job).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
  private final ReadingBatchCodec codec = new ReadingBatchCodec();
  private final SourceCatalogue catalogue = SourceCatalogue.loadDefault();
  private byte[] typical;
  private byte[] full;
  private byte[] hostile;
  private ReadingBatch fullBatch;

  @Setup
  public void payloads() throws PayloadException {
    typical = codec.encode(batch(46));
    fullBatch = batch(ReadingBatchCodec.MAX_READINGS);
    full = codec.encode(fullBatch);
    StringBuilder bad = new StringBuilder();
    bad.append("{\"gateway_id\":\"gw-0001\",\"location_id\":\"loc-0001\",")
        .append("\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1,\"readings\":[");
    String[] wrong = {
      "{\"source_id\":\"bed.presence\",\"ts\":\"not a time\",\"value\":1}",
      "{\"source_id\":\"../../etc\",\"ts\":\"2026-11-22T06:59:00Z\",\"value\":1}",
      "{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-22T06:59:00Z\",\"value\":\"1\"}",
      "{\"source_id\":\"bed.presence\",\"ts\":\"1970-01-01T00:00:00Z\",\"value\":1}",
      "{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-22T06:59:00Z\",\"value\":1e400}",
    };
    for (int i = 0; i < 200; i++) {
      bad.append(i == 0 ? "" : ",").append(wrong[i % wrong.length]);
    }
    hostile = bad.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    // The inputs are what they claim to be.
    int typicalAccepted = codec.decode(typical).batch().readings().size();
    int fullAccepted = codec.decode(full).batch().readings().size();
    int hostileRefused = codec.decode(hostile).rejected().size();
    if (typicalAccepted != 46
        || fullAccepted != ReadingBatchCodec.MAX_READINGS
        || hostileRefused != 160) {
      throw new IllegalStateException(
          "benchmark payloads are not what they should be: accepted "
              + typicalAccepted
              + " of 46 and "
              + fullAccepted
              + " of 1000, refused "
              + hostileRefused
              + " of 160");
    }
  }

  static ReadingBatch batch(int readings) {
    String[] sources = {"bed.presence", "bed.movement", "bracelet.steps", "bracelet.hr"};
    List<Reading> list = new ArrayList<>();
    Instant start = Instant.parse("2026-11-22T06:00:00Z");
    for (int i = 0; i < readings; i++) {
      String source = sources[i % sources.length];
      double value = source.equals("bracelet.hr") ? 60 + i % 30 : i % 2;
      list.add(new Reading(source, start.plusSeconds(i), value));
    }
    return new ReadingBatch("gw-0001", "loc-0001", start.plusSeconds(readings), 1, list);
  }

  @Benchmark
  public DecodedBatch decodeTypicalBatch() throws PayloadException {
    return codec.decode(typical);
  }

  @Benchmark
  public DecodedBatch decodeFullBatch() throws PayloadException {
    return codec.decode(full);
  }

  @Benchmark
  public DecodedBatch decodeHostileBatch() throws PayloadException {
    return codec.decode(hostile);
  }

  @Benchmark
  public byte[] encodeFullBatch() {
    return codec.encode(fullBatch);
  }

  /** The parser's per-reading checks: a measurement source of the catalogue, value in range. */
  @Benchmark
  public int catalogueChecksOfFullBatch() {
    int accepted = 0;
    for (Reading reading : fullBatch.readings()) {
      SourceDefinition source = catalogue.source(reading.sourceId()).orElse(null);
      if (source != null
          && source.kind() == SourceKind.MEASUREMENT
          && source.accepts(reading.value())) {
        accepted++;
      }
    }
    return accepted;
  }
}
