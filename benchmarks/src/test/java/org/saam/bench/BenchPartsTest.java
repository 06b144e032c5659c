package org.saam.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.records.BucketSamples;
import org.saam.stream.records.RawMessage;

class BenchPartsTest {
  @Test
  void percentilesAreNearestRankAndEmptyIsNotANumber() {
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = 100 - i; // 100 .. 1, unsorted on purpose
    }
    Percentiles p = Percentiles.of(hundred);
    assertThat(p.count()).isEqualTo(100);
    assertThat(p.p50()).isEqualTo(50);
    assertThat(p.p95()).isEqualTo(95);
    assertThat(p.p99()).isEqualTo(99);
    assertThat(p.max()).isEqualTo(100);
    assertThat(Percentiles.of(new double[] {7}).p99()).isEqualTo(7);
    assertThat(Percentiles.of(new double[0]).p50()).isNaN();
  }

  @Test
  void theSamplerMeasuresAProcessThatWorksAndReportsAGoneOneAsNotMeasured() throws Exception {
    long self = ProcessHandle.current().pid();
    ProcessSampler sampler = new ProcessSampler(Map.of("self", self, "gone", Long.MAX_VALUE));
    sampler.start();
    long spin = System.nanoTime() + 300_000_000L;
    double sink = 0;
    while (System.nanoTime() < spin) {
      sink += Math.sqrt(sink + 1);
    }
    Map<String, ProcessSampler.Usage> usage = sampler.stop();
    assertThat(sink).isPositive();
    assertThat(usage.get("self").cpuCores()).isGreaterThan(0.2);
    assertThat(usage.get("self").maxRssMb()).isGreaterThan(1);
    assertThat(usage.get("gone").cpuCores()).isNaN();
    assertThat(usage.get("gone").maxRssMb()).isNaN();
  }

  @Test
  void runsAreAppendedUnderOneHeaderAndLeaveTheTextAboveAlone(@TempDir Path dir) throws Exception {
    Path results = dir.resolve("RESULTS.md");
    Files.writeString(results, "# Results\n\nwhat the figures mean\n");
    ObjectNode result =
        (ObjectNode)
            new ObjectMapper()
                .readTree(
                    """
                    {"bench":"e2e","date":"2026-12-02T05:00:00Z",
                     "conditions":{"rate_offered":10000,"pipeline_config":"prefetch|5000"},
                     "publish_rate":9990.5,"stored_rate":9801.0,"loss":0,
                     "latency_ms":{"p50":120.0,"p95":300.0,"p99":450.5,"max":900.0}}
                    """);
    E2eBench.appendRow(results, result);
    E2eBench.appendRow(results, result);
    String text = Files.readString(results);
    assertThat(text).startsWith("# Results\n\nwhat the figures mean\n");
    assertThat(text.split("\\| date \\|", -1)).hasSize(2);
    assertThat(text)
        .contains(
            "| 2026-12-02T05:00:00Z | e2e | 10000 | 9990.5 | 9801.0 | 120.0 | 300.0 | 450.5 | 900.0"
                + " | 0 | prefetch\\|5000 |");
    assertThat(text.lines().filter(l -> l.startsWith("| 2026-12-02"))).hasSize(2);
  }

  @Test
  void prebuiltMessagesCarryEveryReadingOfTheSimulationOnItsHomesRoutingKey() throws Exception {
    var settings =
        SimulationSettings.defaults()
            .withLocationPrefix("pipe-")
            .withHomes(2)
            .withDays(1)
            .withStartDate(LocalDate.of(2026, 10, 1));
    PrebuiltMessages source = PrebuiltMessages.of(settings);

    assertThat(source.readings()).isGreaterThan(10_000);
    assertThat(source.messages()).isGreaterThan(100);
    var collected = new ArrayList<org.saam.stream.records.RawMessage>();
    source.run(new CollectingContext(collected));
    assertThat(collected).hasSize((int) source.messages());
    assertThat(PrebuiltMessages.emittedReadings()).isEqualTo(source.readings());
    assertThat(collected)
        .allSatisfy(m -> assertThat(m.routingKey()).matches("saam\\.pipe-\\d+\\.readings"));
  }

  @Test
  void theCountingSinkCountsTheReadingsOfABucketGroup() throws Exception {
    CountingSink.reset();
    CountingSink<org.saam.stream.records.BucketSamples> sink =
        new CountingSink<>(CountingSink.MEASUREMENTS);
    @SuppressWarnings("deprecation")
    var writer = sink.createWriter((Sink.InitContext) null);
    writer.write(
        new BucketSamples(
            "loc-1", "u", "bed.presence", "d", 0L, new long[] {1, 2, 3}, new double[] {1, 1, 1}),
        null);
    assertThat(CountingSink.count(CountingSink.MEASUREMENTS)).isEqualTo(3);
    assertThat(CountingSink.elements(CountingSink.MEASUREMENTS)).isEqualTo(1);
  }

  @Test
  void theChartDrawsOnePanelPerFigureOfTheRecordedRuns(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (int run = 0; run < 3; run++) {
      ObjectNode e2e = json.createObjectNode();
      e2e.put("bench", "e2e").put("date", "2026-12-0" + (run + 1) + "T00:00:00Z");
      e2e.putObject("conditions").put("rate_offered", 10_000.0 * (run + 1));
      e2e.put("stored_rate", 9_000.0 * (run + 1));
      e2e.putObject("latency_ms").put("p50", 300.0).put("p99", 1_200.0);
      json.writeValue(dir.resolve("e2e-" + run + ".json").toFile(), e2e);
    }
    ObjectNode pipeline = json.createObjectNode();
    pipeline.put("bench", "pipeline").put("date", "2026-12-04T00:00:00Z");
    pipeline.put("readings_per_second", 150_000);
    json.writeValue(dir.resolve("pipeline-0.json").toFile(), pipeline);
    Files.writeString(dir.resolve("jmh-0.json"), "[]"); // not a run of these charts

    Path png = dir.resolve("runs.png");
    ChartCommand chart = new ChartCommand();
    chart.results = dir;
    chart.out = png;
    assertThat(chart.call()).isZero();

    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).as("three panels of 320 px").isEqualTo(960);
    assertThat(ChartCommand.read(dir))
        .extracting(ChartCommand.Run::bench)
        .containsExactly("e2e", "e2e", "e2e", "pipeline");
  }

  /** Takes what a source emits, as the job would. */
  @SuppressWarnings("deprecation")
  private record CollectingContext(List<org.saam.stream.records.RawMessage> out)
      implements SourceFunction.SourceContext<org.saam.stream.records.RawMessage> {
    @Override
    public void collect(RawMessage element) {
      out.add(element);
    }

    @Override
    public void collectWithTimestamp(RawMessage element, long timestamp) {
      out.add(element);
    }

    @Override
    public void emitWatermark(Watermark mark) {}

    @Override
    public void markAsTemporarilyIdle() {}

    @Override
    public Object getCheckpointLock() {
      return this;
    }

    @Override
    public void close() {}
  }
}
