package org.saam.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
