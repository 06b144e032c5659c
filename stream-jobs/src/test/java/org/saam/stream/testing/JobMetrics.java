package org.saam.stream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * The pipeline's own metrics ({@code saam} group) of a job on a MiniCluster, summed over subtasks,
 * read through the cluster's REST API as an operator would read them from the dashboard. For the
 * message of a test that timed out: what the job did tells more than what it did not write.
 */
public final class JobMetrics {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobMetrics() {}

  /**
   * {@code "<vertex> / <metric>" -> sum over its subtasks}; metrics without a value are left out.
   */
  public static Map<String, Double> pipelineCounters(MiniCluster cluster, JobID job)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = cluster.getRestAddress().join().toString() + "/jobs/" + job;
    Map<String, Double> counters = new TreeMap<>();
    for (JsonNode vertex : get(http, base).path("vertices")) {
      String vertexUrl = base + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> names = new ArrayList<>();
      for (JsonNode metric : get(http, vertexUrl)) {
        String id = metric.path("id").asText();
        if (id.contains(".saam.") && !id.contains("_bucket")) {
          names.add(id);
        }
      }
      if (names.isEmpty()) {
        continue;
      }
      String query =
          "?agg=sum&get=" + URLEncoder.encode(String.join(",", names), StandardCharsets.UTF_8);
      for (JsonNode metric : get(http, vertexUrl + query)) {
        if (metric.has("sum")) {
          counters.put(
              vertex.path("name").asText() + " / " + metric.path("id").asText(),
              metric.path("sum").asDouble());
        }
      }
    }
    return counters;
  }

  /**
   * The sum over every operator and subtask of the pipeline metric {@code saam.<name>}, counting
   * only metrics registered directly in an operator's {@code saam} group: those are the ones
   * Flink's Prometheus reporter names {@code flink_taskmanager_job_task_operator_saam_<name>},
   * which the scrape configuration, the alert rules and the operators' page read. A metric nested
   * in another group (a sink's {@code user} group, say) would not reach them and is not counted.
   */
  public static double total(MiniCluster cluster, JobID job, String name)
      throws IOException, InterruptedException {
    return pipelineCounters(cluster, job).entrySet().stream()
        .filter(e -> e.getKey().endsWith(".saam." + name))
        .filter(e -> e.getKey().split(" / ", 2)[1].split("\\.").length == 3)
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** {@link #pipelineCounters} for a message; the error itself when the REST API did not answer. */
  public static String describe(MiniCluster cluster, JobID job) {
    try {
      StringBuilder text = new StringBuilder();
      pipelineCounters(cluster, job)
          .forEach((name, value) -> text.append("\n  ").append(name).append(" = ").append(value));
      return text.isEmpty() ? " (no metrics yet)" : text.toString();
    } catch (IOException | RuntimeException e) {
      return " (metrics unavailable: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return " (interrupted)";
    }
  }

  private static JsonNode get(HttpClient http, String url)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }
}
