package org.saam.views.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceDefinition;
import org.saam.common.catalogue.ViewDefinition;
import org.saam.common.realm.RealmNames;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.jwt.TokenRejectedException;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.servicekit.ServiceHttp;
import org.saam.servicekit.http.ProblemException;
import org.saam.views.query.QueryParameters;
import org.saam.views.query.SummaryReader;
import org.saam.views.query.ViewQuery;
import org.saam.views.query.ViewReader;

/**
 * The feature views' HTTP handlers: the catalogue of views, their data by location or person and
 * time, and summaries. Data scientists see everything; participants only their own data. Every
 * dependency comes through the constructor, so the routes can be registered without a database.
 */
public final class ViewsApi {
  private final SourceCatalogue catalogue;
  private final MongoDatabase database;
  private final QueryParameters parameters;
  private final JwtVerifier verifier;
  private final ObjectMapper json;
  private final PrometheusMeterRegistry metrics;
  private final String keycloakUrl;
  private final String webClientId;

  /**
   * @param keycloakUrl and {@code webClientId}: what the web page signs in with
   */
  public ViewsApi(
      SourceCatalogue catalogue,
      MongoDatabase database,
      QueryParameters parameters,
      JwtVerifier verifier,
      ObjectMapper json,
      PrometheusMeterRegistry metrics,
      String keycloakUrl,
      String webClientId) {
    this.catalogue = catalogue;
    this.database = database;
    this.parameters = parameters;
    this.verifier = verifier;
    this.json = json;
    this.metrics = metrics;
    this.keycloakUrl = keycloakUrl;
    this.webClientId = webClientId;
  }

  /** The service's own routes; {@link ServiceHttp} adds {@code /health} and {@code /metrics}. */
  public void routes(Javalin app) {
    app.get("/v1/views", this::listViews);
    app.get("/v1/views/{view}/data", this::data);
    app.get("/v1/views/{view}/summary", this::summary);
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi()));
    app.get(
        "/config.json",
        ctx ->
            ctx.json(
                Map.of(
                    "keycloak_url", keycloakUrl,
                    "realm", RealmNames.REALM,
                    "client_id", webClientId)));
  }

  private VerifiedToken caller(Context ctx) throws TokenRejectedException {
    VerifiedToken token =
        verifier.verify(
            ctx.header("Authorization"),
            RealmNames.SENSOR_API,
            "data-scientist",
            "participant",
            "caregiver");
    ctx.attribute(ServiceHttp.CALLER, token);
    return token;
  }

  /**
   * Participants see their own data only, by their own user_id; caregivers the data of the people
   * they care for (claim saam_cares_for), by those people's user_id.
   */
  private static void mayRead(VerifiedToken caller, ViewQuery query) {
    if (caller.hasRole("data-scientist")) {
      return;
    }
    if (caller.hasRole("caregiver")
        && query.userId() != null
        && caller.caresFor().contains(query.userId())) {
      return;
    }
    if (caller.hasRole("caregiver") && !caller.hasRole("participant")) {
      throw new ProblemException(
          403,
          "Forbidden",
          "caregivers may read only the data of the people they care for, by user_id: "
              + (caller.caresFor().isEmpty()
                  ? "you care for nobody yet (an administrator adds the relation)"
                  : String.join(", ", new java.util.TreeSet<>(caller.caresFor()))));
    }
    if (query.userId() == null || !query.userId().equals(caller.saamUserId())) {
      throw new ProblemException(
          403,
          "Forbidden",
          "participants may read only their own data: query with user_id=" + caller.saamUserId());
    }
  }

  private void listViews(Context ctx) throws TokenRejectedException {
    caller(ctx);
    List<Map<String, Object>> views = new ArrayList<>();
    for (ViewDefinition view : catalogue.views()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", view.name());
      entry.put("kind", view.kind());
      entry.put("description", view.description());
      List<Map<String, Object>> sources = new ArrayList<>();
      for (String id : view.sources()) {
        SourceDefinition source = catalogue.source(id).orElseThrow();
        sources.add(
            Map.of(
                "source_id",
                id,
                "unit",
                source.unit(),
                "description",
                source.description(),
                "min",
                source.min(),
                "max",
                source.max()));
      }
      entry.put("sources", sources);
      views.add(entry);
    }
    ctx.json(Map.of("views", views));
  }

  private void data(Context ctx) throws Exception {
    VerifiedToken caller = caller(ctx);
    ViewQuery query = parameters.data(ctx.pathParam("view"), ctx.queryParamMap());
    mayRead(caller, query);
    long started = System.nanoTime();
    ViewReader.Page page = new ViewReader(database).read(query);
    metrics
        .timer("saam_views_query_seconds", "endpoint", "data")
        .record(Duration.ofNanos(System.nanoTime() - started));
    metrics.counter("saam_views_rows_served").increment(page.rows().size());
    ServiceHttp.auditDetail(ctx, "query", auditFilters(query, page.rows().size()));
    if (page.next() != null) {
      ctx.header("X-Next-Cursor", page.next().encode());
      ctx.header(
          "Link",
          "<" + ctx.path() + "?" + nextQuery(ctx, page.next().encode()) + ">; rel=\"next\"");
    }
    ctx.contentType(Formats.contentType(query.format()));
    Formats.write(
        query.format(),
        query.view().name(),
        page.rows(),
        page.next(),
        query.zone(),
        json,
        ctx.outputStream());
  }

  private void summary(Context ctx) throws Exception {
    VerifiedToken caller = caller(ctx);
    ViewQuery query = parameters.summary(ctx.pathParam("view"), ctx.queryParamMap());
    mayRead(caller, query);
    Duration bucket = QueryParameters.bucket(ctx.queryParamMap());
    long started = System.nanoTime();
    List<SummaryReader.Bucket> buckets = new SummaryReader(database).summarize(query, bucket);
    metrics
        .timer("saam_views_query_seconds", "endpoint", "summary")
        .record(Duration.ofNanos(System.nanoTime() - started));
    ServiceHttp.auditDetail(ctx, "query", auditFilters(query, buckets.size()));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (SummaryReader.Bucket b : buckets) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("source_id", b.sourceId());
      row.put("bucket_start", b.start().toString());
      row.put("count", b.count());
      row.put("min", b.min());
      row.put("max", b.max());
      row.put("mean", b.mean());
      rows.add(row);
    }
    ctx.json(Map.of("view", query.view().name(), "bucket", bucket.toString(), "buckets", rows));
  }

  private static String nextQuery(Context ctx, String cursor) {
    StringBuilder query = new StringBuilder();
    ctx.queryParamMap()
        .forEach(
            (name, values) -> {
              if (!name.equals("cursor")) {
                for (String value : values) {
                  query
                      .append(query.length() == 0 ? "" : "&")
                      .append(name)
                      .append('=')
                      .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                }
              }
            });
    return query + (query.length() == 0 ? "" : "&") + "cursor=" + cursor;
  }

  private static Map<String, Object> auditFilters(ViewQuery query, int rows) {
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("view", query.view().name());
    filters.put("location_id", query.locationId());
    filters.put("user_id", query.userId());
    filters.put("sources", query.sources());
    filters.put("from", query.from().toString());
    filters.put("to", query.to().toString());
    filters.put("rows", rows);
    return filters;
  }

  private String openApi() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/openapi.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
