package org.saam.users;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.saam.common.broker.ManagementApi;
import org.saam.identity.audit.AuditLog;
import org.saam.identity.http.ProblemResponses;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.identity.realm.SaamRealm;
import org.saam.identity.tokenlog.Elasticsearch;
import org.saam.identity.tokenlog.TokenLogShipper;
import org.saam.users.accounts.BrokerAppAccounts;
import org.saam.users.accounts.KeycloakAccounts;
import org.saam.users.cache.PeopleCache;
import org.saam.users.erasure.ErasureService;
import org.saam.users.http.Callers;
import org.saam.users.http.LocationHandlers;
import org.saam.users.http.PeopleHandlers;
import org.saam.users.store.Database;
import org.saam.users.store.LocationStore;
import org.saam.users.store.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user service: its dependencies, its routes and its HTTP server. {@link #start} opens
 * everything and serves; {@link #close} stops in reverse order.
 */
public final class UserService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UserService.class);
  private static final String STARTED = "saam.started";

  private final UserServiceConfig config;
  private final Database database;
  private final PeopleCache cache;
  private final KeycloakAccounts accounts;
  private final MongoClient mongo;
  private final ElasticsearchClient elasticsearch;
  private final AuditLog audit;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
  private Javalin server;

  private UserService(UserServiceConfig config) {
    this.config = config;
    this.database =
        Database.open(config.postgresUrl(), config.postgresUser(), config.postgresPassword());
    this.cache = PeopleCache.connect(config.redisUri().toString(), config.cacheTtl());
    this.accounts = KeycloakAccounts.connect(config.keycloakUrl(), config.clientSecret());
    this.mongo = MongoClients.create(config.mongoUri());
    this.elasticsearch = Elasticsearch.client(config.elasticsearchUrl());
    this.audit = new AuditLog(elasticsearch);
  }

  /** Opens the stores, registers the routes and starts serving. */
  public static UserService start(UserServiceConfig config) {
    UserService service = new UserService(config);
    try {
      service.serve();
      return service;
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }

  /** The port the server listens on (useful when the configured port was 0). */
  public int port() {
    return server.port();
  }

  private void serve() {
    Callers callers =
        new Callers(
            JwtVerifier.forRealm(
                config.realmUrl(), SaamRealm.USER_SERVICE_CLIENT, config.clockSkew()));
    UserStore users = new UserStore();
    LocationStore locations = new LocationStore();
    BrokerAppAccounts appAccounts =
        config.brokerAdministration()
            ? new BrokerAppAccounts(
                new ManagementApi(
                    config.brokerManagementUrl(), config.brokerUser(), config.brokerPassword()),
                "/")
            : null;
    ErasureService erasure =
        new ErasureService(
            database,
            users,
            locations,
            cache,
            accounts,
            mongo.getDatabase(config.mongoDatabase()),
            elasticsearch,
            audit,
            appAccounts);
    PeopleHandlers people =
        new PeopleHandlers(
            database,
            users,
            cache,
            accounts,
            erasure,
            callers,
            json,
            metrics,
            config.photoMaxBytes(),
            appAccounts);
    LocationHandlers homes =
        new LocationHandlers(database, locations, users, cache, callers, json, metrics);

    server =
        Javalin.create(
            javalin -> {
              javalin.showJavalinBanner = false;
              javalin.http.maxRequestSize = config.photoMaxBytes() + 64L * 1024;
              javalin.jsonMapper(new JavalinJackson(json, false));
              javalin.router.ignoreTrailingSlashes = true;
            });
    routes(server, people, homes);
    server.start(config.bindAddress(), config.port());
    if (!config.tokenLogInterval().isZero()) {
      TokenLogShipper shipper = new TokenLogShipper(accounts.realm(), elasticsearch);
      long seconds = config.tokenLogInterval().toSeconds();
      background.scheduleWithFixedDelay(() -> shipTokens(shipper), 0, seconds, TimeUnit.SECONDS);
    }
    LOG.info("user service listening on {}:{}", config.bindAddress(), server.port());
  }

  /** Every route of the service, in one place. */
  void routes(Javalin app, PeopleHandlers people, LocationHandlers homes) {
    app.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
    app.post("/v1/users", people::create);
    app.get("/v1/users/{id}", people::read);
    app.patch("/v1/users/{id}", people::update);
    app.delete("/v1/users/{id}", people::delete);
    app.put("/v1/users/{id}/photo", people::uploadPhoto);
    app.get("/v1/users/{id}/photo", people::readPhoto);
    app.post("/v1/users/{id}/app-credentials", people::issueAppCredentials);
    app.post("/v1/locations", homes::create);
    app.post("/v1/locations/{location_id}/assignments", homes::assign);
    app.get("/v1/locations/{location_id}/assignments", homes::list);
    app.get("/health", this::health);
    app.get(
        "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));

    ProblemResponses.register(
        app, json, LOG, "the service failed; the error is logged with the time of this request");
    app.error(
        405,
        ctx ->
            ProblemResponses.write(
                ctx,
                json,
                405,
                "Method not allowed",
                ctx.method() + " is not allowed on " + ctx.path(),
                Map.of()));
    app.after(this::measureAndAudit);
  }

  private void health(Context ctx) {
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("postgres", database.healthy() ? "up" : "down");
    checks.put("redis", cache.healthy() ? "up" : "down");
    checks.put("keycloak", accounts.healthy() ? "up" : "down");
    checks.put("elasticsearch", audit.healthy() ? "up" : "down");
    boolean up = checks.values().stream().allMatch("up"::equals);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "up" : "down");
    body.put("checks", checks);
    ctx.status(up ? 200 : 503).json(body);
  }

  /** Metrics and the audit record of every request: who, what, when, outcome; never bodies. */
  private void measureAndAudit(Context ctx) {
    String route = ctx.endpointHandlerPath();
    Long started = ctx.attribute(STARTED);
    long nanos = started == null ? 0 : System.nanoTime() - started;
    Timer.builder("saam_http_requests")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", String.valueOf(ctx.statusCode()))
        .publishPercentileHistogram()
        .register(metrics)
        .record(Duration.ofNanos(nanos));
    if (route.equals("/health") || route.equals("/metrics")) {
      return;
    }
    VerifiedToken caller = ctx.attribute("saam.caller");
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("ts", Instant.now().toString());
    record.put("service", "user-service");
    record.put("actor", caller == null ? null : caller.actor());
    record.put("actor_id", caller == null ? null : caller.subject());
    record.put("client_id", caller == null ? null : caller.clientId());
    record.put("method", ctx.method().name());
    record.put("route", route);
    record.put("target", ctx.attribute("saam.target"));
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

  private void shipTokens(TokenLogShipper shipper) {
    try {
      int shipped = shipper.shipOnce();
      metrics.counter("saam_token_log_shipped").increment(shipped);
    } catch (IOException | RuntimeException e) {
      metrics.counter("saam_token_log_failures").increment();
      LOG.warn("token log shipping failed, will retry: {}", e.toString());
    }
  }

  @Override
  public void close() {
    background.shutdownNow();
    if (server != null) {
      server.stop();
    }
    accounts.close();
    cache.close();
    mongo.close();
    database.close();
  }
}
