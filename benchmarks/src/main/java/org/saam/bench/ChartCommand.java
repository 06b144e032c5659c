package org.saam.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.saam.common.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chart}: one PNG of every recorded run, oldest first, so a reader sees the trend: e2e
 * offered and stored rate, e2e latency p50 and p99 (log scale), and the pipeline's readings/s.
 */
@Command(
    name = "chart",
    mixinStandardHelpOptions = true,
    description = "Draw the recorded runs (results/*.json) as one PNG.")
public final class ChartCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--results", required = true, description = "the folder of JSON results")
  Path results;

  @Option(names = "--out", required = true, description = "the PNG to write")
  Path out;

  /** One recorded run. */
  record Run(String bench, String date, JsonNode result) {}

  @Override
  public Integer call() throws IOException {
    List<Run> runs = read(results);
    List<Run> e2e = runs.stream().filter(r -> r.bench().equals("e2e")).toList();
    List<Run> pipeline = runs.stream().filter(r -> r.bench().equals("pipeline")).toList();
    if (e2e.isEmpty() && pipeline.isEmpty()) {
      throw new IllegalArgumentException("no e2e or pipeline results in " + results);
    }
    List<Chart<?, ?>> charts = new ArrayList<>();
    if (!e2e.isEmpty()) {
      charts.add(
          chart(
              "e2e: readings/s by run",
              "readings/s",
              false,
              e2e,
              new String[] {"offered", "stored"},
              new String[] {"/conditions/rate_offered", "/stored_rate"}));
      charts.add(
          chart(
              "e2e: publish-to-stored latency by run",
              "ms (log)",
              true,
              e2e,
              new String[] {"p50", "p99"},
              new String[] {"/latency_ms/p50", "/latency_ms/p99"}));
    }
    if (!pipeline.isEmpty()) {
      charts.add(
          chart(
              "pipeline alone: readings/s by run",
              "readings/s",
              false,
              pipeline,
              new String[] {"readings/s"},
              new String[] {"/readings_per_second"}));
    }
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    BitmapEncoder.saveBitmap(
        charts, charts.size(), 1, out.toString(), BitmapEncoder.BitmapFormat.PNG);
    System.out.printf(
        "chart of %d e2e and %d pipeline runs: %s%n", e2e.size(), pipeline.size(), out);
    return Cli.OK;
  }

  /** Every result file of the folder, by date. */
  static List<Run> read(Path folder) throws IOException {
    List<Run> runs = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonNode result = JSON.readTree(file.toFile());
        if (result.isObject() && result.has("bench") && result.has("date")) {
          runs.add(new Run(result.get("bench").asText(), result.get("date").asText(), result));
        }
      }
    }
    runs.sort(Comparator.comparing(Run::date));
    return runs;
  }

  private static XYChart chart(
      String title, String yTitle, boolean log, List<Run> runs, String[] names, String[] pointers) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(320)
            .title(title)
            .xAxisTitle("run (oldest first; labels in RESULTS.md)")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setYAxisLogarithmic(log);
    chart.getStyler().setXAxisDecimalPattern("#");
    chart.getStyler().setLegendVisible(true);
    for (int s = 0; s < names.length; s++) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        JsonNode value = runs.get(i).result().at(pointers[s]);
        if (value.isNumber() && (!log || value.asDouble() > 0)) {
          x.add((double) (i + 1));
          y.add(value.asDouble());
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(names[s], x, y).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    return chart;
  }
}
