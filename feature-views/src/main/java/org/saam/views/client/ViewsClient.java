package org.saam.views.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * A small Java client of the feature views: iterates a view's rows page by page, following the
 * cursor, so callers never hold more than one page.
 *
 * <pre>{@code
 * ViewsClient views = new ViewsClient(URI.create("http://127.0.0.1:8091"), () -> accessToken);
 * for (ViewsClient.Row row : views.rows("microhub_bed", "location_id", "loc-0001",
 *     List.of("bed.presence"), from, to)) { ... }
 * }</pre>
 */
public final class ViewsClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;
  private final Supplier<String> token;
  private final int pageSize;

  /**
   * @param base the service, for example {@code http://127.0.0.1:8091}
   * @param token gives a current access token (scope sensorapi) for every page
   */
  public ViewsClient(URI base, Supplier<String> token) {
    this(base, token, 10_000);
  }

  public ViewsClient(URI base, Supplier<String> token, int pageSize) {
    this.base = base;
    this.token = token;
    this.pageSize = pageSize;
  }

  /** One row of a view. */
  public record Row(Instant ts, String sourceId, double value, String locationId, String userId) {}

  /** The service refused a request; the message is its problem detail. */
  public static final class ViewsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ViewsException(String message) {
      super(message);
    }
  }

  /**
   * The rows of a view for a location or a person, in time order.
   *
   * @param by {@code location_id} or {@code user_id}
   * @param sources the sources, or empty for all of the view's
   */
  public Iterable<Row> rows(
      String view, String by, String id, List<String> sources, Instant from, Instant to) {
    String query =
        "/v1/views/"
            + encode(view)
            + "/data?"
            + encode(by)
            + "="
            + encode(id)
            + (sources.isEmpty() ? "" : "&source_id=" + encode(String.join(",", sources)))
            + "&from="
            + encode(from.toString())
            + "&to="
            + encode(to.toString())
            + "&format=json&limit="
            + pageSize;
    return () -> new PageIterator(query);
  }

  private final class PageIterator implements Iterator<Row> {
    private final String query;
    private List<Row> page = List.of();
    private int position;
    private String cursor;
    private boolean last;

    PageIterator(String query) {
      this.query = query;
    }

    @Override
    public boolean hasNext() {
      while (position >= page.size() && !last) {
        fetch();
      }
      return position < page.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return page.get(position++);
    }

    private void fetch() {
      String url = base + query + (cursor == null ? "" : "&cursor=" + encode(cursor));
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token.get())
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
          throw new ViewsException(
              "feature views answered "
                  + response.statusCode()
                  + ": "
                  + body.path("detail").asText(response.body()));
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode row : body.get("rows")) {
          rows.add(
              new Row(
                  Instant.parse(row.get("ts").asText()),
                  row.get("source_id").asText(),
                  row.get("value").asDouble(),
                  row.get("location_id").asText(null),
                  row.get("user_id").asText(null)));
        }
        page = rows;
        position = 0;
        cursor = body.get("next_cursor").isNull() ? null : body.get("next_cursor").asText();
        last = cursor == null;
      } catch (IOException e) {
        throw new ViewsException("feature views unreachable at " + base + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ViewsException("interrupted");
      }
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
