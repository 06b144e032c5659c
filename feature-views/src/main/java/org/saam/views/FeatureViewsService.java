package org.saam.views;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceDefinition;
import org.saam.common.catalogue.ViewDefinition;
import org.saam.identity.audit.AuditLog;
import org.saam.identity.http.ProblemException;
import org.saam.identity.http.ProblemResponses;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.jwt.TokenRejectedException;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.identity.realm.SaamRealm;
import org.saam.identity.tokenlog.Elasticsearch;
import org.saam.views.query.QueryParameters;
import org.saam.views.query.SummaryReader;
import org.saam.views.query.ViewQuery;
import org.saam.views.query.ViewReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature-views query service: the catalogue of views, their data by location or person and
 * time, and summaries. Data scientists see everything; participants only their own data.
 */
public final class FeatureViewsService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureViewsService.class);
  private static final String STARTED = "saam.started";
  private static final String CALLER = "saam.caller";
  private static final String AUDIT = "saam.audit";

  private final FeatureViewsConfig config;
  private final SourceCatalogue catalogue;
  private final MongoClient mongo;
  private final MongoDatabase database;
  private final AuditLog audit;
  private final JwtVerifier verifier;
  private final QueryParameters parameters;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private Javalin server;

  private FeatureViewsService(FeatureViewsConfig config) throws IOException {
    this.config = config;
    this.catalogue = loadCatalogue(config);
    this.mongo = MongoClients.create(config.mongoUri());
    this.database = mongo.getDatabase(config.mongoDatabase());
    this.audit = new AuditLog(Elasticsearch.client(config.elasticsearchUrl()));
    this.verifier =
        JwtVerifier.forRealm(config.realmUrl(), SaamRealm.VIEWS_CLIENT, config.clockSkew());
    this.parameters = new QueryParameters(catalogue, config.maxRows(), config.maxRange());
  }

  public static FeatureViewsService start(FeatureViewsConfig config) throws IOException {
    FeatureViewsService service = new FeatureViewsService(config);
    try {
      service.ensureIndexes();
      service.serve();
      return service;
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  private static SourceCatalogue loadCatalogue(FeatureViewsConfig config) throws IOException {
    if (config.cataloguePath() == null) {
      return SourceCatalogue.loadDefault();
    }
    try (InputStream in = Files.newInputStream(Path.of(config.cataloguePath()))) {
      return SourceCatalogue.load(in, config.cataloguePath());
    }
  }

  /** The indexes the queries rely on (ARCHITECTURE.md, section 3); creating them is idempotent. */
  private void ensureIndexes() {
    org.saam.views.query.Blocking.await(
        database
            .getCollection("measurements")
            .createIndex(
                Indexes.ascending("source_id", "location_id", "hour"),
                new IndexOptions().name("source_location_hour")));
    org.saam.views.query.Blocking.await(
        database
            .getCollection("measurements")
            .createIndex(
                Indexes.ascending("user_id", "hour"), new IndexOptions().name("user_hour")));
    org.saam.views.query.Blocking.await(
        database
            .getCollection("features")
            .createIndex(
                Indexes.ascending("user_id", "source_id", "window.start"),
                new IndexOptions().name("user_source_window")));
  }

  private void serve() {
    server =
        Javalin.create(
            javalin -> {
              javalin.showJavalinBanner = false;
              javalin.jsonMapper(new JavalinJackson(json, false));
              javalin.router.ignoreTrailingSlashes = true;
              javalin.staticFiles.add("/web", io.javalin.http.staticfiles.Location.CLASSPATH);
            });
    routes(server);
    server.start(config.bindAddress(), config.port());
    LOG.info("feature views listening on {}:{}", config.bindAddress(), server.port());
  }

  /** The service's endpoints, as {@code GET <path>}; the OpenAPI document lists the same. */
  public static final List<String> ENDPOINTS =
      List.of(
          "/v1/views",
          "/v1/views/{view}/data",
          "/v1/views/{view}/summary",
          "/openapi.json",
          "/config.json",
          "/health",
          "/metrics",
          "/");

  /** Every route of the service. */
  void routes(Javalin app) {
    app.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
    app.get("/v1/views", this::listViews);
    app.get("/v1/views/{view}/data", this::data);
    app.get("/v1/views/{view}/summary", this::summary);
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi()));
    app.get(
        "/config.json",
        ctx ->
            ctx.json(
                Map.of(
                    "keycloak_url", config.keycloakUrl(),
                    "realm", SaamRealm.REALM,
                    "client_id", config.webClientId())));
    app.get("/health", this::health);
    app.get(
        "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
    ProblemResponses.register(
        app, json, LOG, "the query failed; the error is logged with the time of this request");
    app.after(this::measureAndAudit);
  }

  private VerifiedToken caller(Context ctx) throws TokenRejectedException {
    VerifiedToken token =
        verifier.verify(
            ctx.header("Authorization"), SaamRealm.SENSOR_API, "data-scientist", "participant");
    ctx.attribute(CALLER, token);
    return token;
  }

  /** Participants see their own data only: by their own user_id. */
  private static void mayRead(VerifiedToken caller, ViewQuery query) {
    if (caller.hasRole("data-scientist")) {
      return;
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
    ctx.attribute(AUDIT, auditFilters(query, page.rows().size()));
    if (page.next() != null) {
      ctx.header("X-Next-Cursor", page.next().encode());
      ctx.header(
          "Link",
          "<" + ctx.path() + "?" + nextQuery(ctx, page.next().encode()) + ">; rel=\"next\"");
    }
    ctx.contentType(org.saam.views.http.Formats.contentType(query.format()));
    org.saam.views.http.Formats.write(
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
    ctx.attribute(AUDIT, auditFilters(query, buckets.size()));
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

  /** Query latency with a histogram, per endpoint. */
  private Timer queryTimer(String endpoint) {
    return Timer.builder("saam_views_query")
        .tag("endpoint", endpoint)
        .publishPercentileHistogram()
        .register(metrics);
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
                      .append(
                          java.net.URLEncoder.encode(
                              value, java.nio.charset.StandardCharsets.UTF_8));
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
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private void health(Context ctx) {
    boolean mongoUp;
    try {
      org.saam.views.query.Blocking.await(database.runCommand(new org.bson.Document("ping", 1)));
      mongoUp = true;
    } catch (RuntimeException e) {
      mongoUp = false;
    }
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("mongodb", mongoUp ? "up" : "down");
    checks.put("elasticsearch", audit.healthy() ? "up" : "down");
    boolean up = !checks.containsValue("down");
    ctx.status(up ? 200 : 503).json(Map.of("status", up ? "up" : "down", "checks", checks));
  }

  private void measureAndAudit(Context ctx) {
    String route = ctx.endpointHandlerPath();
    Long started = ctx.attribute(STARTED);
    long nanos = started == null ? 0 : System.nanoTime() - started;
    Timer.builder("saam_http_requests")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", String.valueOf(ctx.statusCode()))
        .register(metrics)
        .record(Duration.ofNanos(nanos));
    if (!route.startsWith("/v1/")) {
      return;
    }
    VerifiedToken caller = ctx.attribute(CALLER);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("ts", Instant.now().toString());
    record.put("service", "feature-views");
    record.put("actor", caller == null ? null : caller.actor());
    record.put("actor_id", caller == null ? null : caller.subject());
    record.put("method", ctx.method().name());
    record.put("route", route);
    record.put("query", ctx.attribute(AUDIT));
    record.put("status", ctx.statusCode());
    record.put("outcome", ctx.statusCode() < 400 ? "success" : "failure");
    record.put("duration_ms", nanos / 1_000_000);
    try {
      audit.record(record);
    } catch (IOException | RuntimeException e) {
      metrics.counter("saam_audit_failures").increment();
      LOG.error(
          "audit record of {} {} could not be written: {}", ctx.method(), route, e.toString());
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
    mongo.close();
  }
}
