package org.saam.users;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.saam.common.broker.ManagementApi;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.realm.SaamRealm;
import org.saam.identity.tokenlog.TokenLogShipper;
import org.saam.servicekit.ServiceHttp;
import org.saam.servicekit.audit.AuditLog;
import org.saam.users.accounts.BrokerAppAccounts;
import org.saam.users.accounts.KeycloakAccounts;
import org.saam.users.cache.PeopleCache;
import org.saam.users.erasure.CoachingEventLog;
import org.saam.users.erasure.ErasureService;
import org.saam.users.http.Callers;
import org.saam.users.http.CareHandlers;
import org.saam.users.http.LocationHandlers;
import org.saam.users.http.PeopleHandlers;
import org.saam.users.store.CareStore;
import org.saam.users.store.Database;
import org.saam.users.store.LocationStore;
import org.saam.users.store.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user service: its dependencies, its routes and its HTTP server. {@link #start} opens
 * everything and serves; {@link #close} stops in reverse order.
 */
public final class UserService implements ServiceHttp.Service {
  private static final Logger LOG = LoggerFactory.getLogger(UserService.class);

  private final UserServiceConfig config;
  private final Database database;
  private final PeopleCache cache;
  private final KeycloakAccounts accounts;
  private final MongoClient mongo;
  private final ElasticsearchClient elasticsearch;
  private final AuditLog audit;
  private final CoachingEventLog coachingLog;
  private ErasureService erasure;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ObjectMapper json = ServiceHttp.jsonMapper();
  private final ServiceHttp http;
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
    this.coachingLog = new CoachingEventLog(config.kafkaBootstrap(), config.coachingTopic());
    this.http = new ServiceHttp("user-service", json, metrics, audit, LOG);
  }

  /** Opens the stores, registers the routes and starts serving. */
  public static UserService start(UserServiceConfig config) {
    return ServiceHttp.startOrClose(new UserService(config), UserService::serve);
  }

  /** The erasure service (tests stop it between steps through its listener). */
  public ErasureService erasure() {
    return erasure;
  }

  /** The port the server listens on (useful when the configured port was 0). */
  public int port() {
    return server.port();
  }

  private void serve() {
    Callers callers =
        new Callers(
            JwtVerifier.forRealm(
                config.realmUrl(),
                config.issuer(),
                RealmNames.USER_SERVICE_CLIENT,
                config.clockSkew(),
                SaamRealm.clientsWithScope(RealmNames.USER_API)));
    UserStore users = new UserStore();
    CareStore care = new CareStore();
    LocationStore locations = new LocationStore();
    BrokerAppAccounts appAccounts =
        config.brokerAdministration()
            ? new BrokerAppAccounts(
                new ManagementApi(
                    config.brokerManagementUrl(), config.brokerUser(), config.brokerPassword()),
                "/")
            : null;
    erasure =
        new ErasureService(
            database,
            users,
            locations,
            cache,
            accounts,
            mongo.getDatabase(config.mongoDatabase()),
            elasticsearch,
            audit,
            appAccounts,
            coachingLog,
            config.erasureGrace(),
            care);
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
            appAccounts,
            care);
    LocationHandlers homes =
        new LocationHandlers(database, locations, users, cache, callers, json, metrics, care);
    CareHandlers carers = new CareHandlers(database, users, care, accounts, callers);

    server =
        http.create(javalin -> javalin.http.maxRequestSize = config.photoMaxBytes() + 64L * 1024);
    routes(server, people, homes, carers);
    server.start(config.bindAddress(), config.port());
    if (!config.tokenLogInterval().isZero()) {
      TokenLogShipper shipper = new TokenLogShipper(accounts.realm(), elasticsearch);
      long seconds = config.tokenLogInterval().toSeconds();
      background.scheduleWithFixedDelay(() -> shipTokens(shipper), 0, seconds, TimeUnit.SECONDS);
    }
    LOG.info("user service listening on {}:{}", config.bindAddress(), server.port());
  }

  /** Every route of the service, in one place. */
  void routes(Javalin app, PeopleHandlers people, LocationHandlers homes, CareHandlers carers) {
    Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
    checks.put("postgres", database::healthy);
    checks.put("redis", cache::healthy);
    checks.put("keycloak", accounts::healthy);
    // Elasticsearch is not required: the audit log waits for it (its state is under "audit").
    http.register(
        app,
        checks,
        route -> !route.startsWith("/health") && !route.equals("/metrics"),
        "the service failed; the error is logged with the time of this request");
    app.post("/v1/users", people::create);
    app.get("/v1/users/{id}", people::read);
    app.patch("/v1/users/{id}", people::update);
    app.delete("/v1/users/{id}", people::delete);
    app.put("/v1/users/{id}/photo", people::uploadPhoto);
    app.get("/v1/users/{id}/photo", people::readPhoto);
    app.post("/v1/users/{id}/app-credentials", people::issueAppCredentials);
    app.get("/v1/erasures", people::erasures);
    app.put("/v1/users/{id}/caregivers/{caregiver_id}", carers::add);
    app.delete("/v1/users/{id}/caregivers/{caregiver_id}", carers::remove);
    app.get("/v1/users/{id}/caregivers", carers::caregivers);
    app.get("/v1/users/{id}/cared-for", carers::caredFor);
    app.post("/v1/locations", homes::create);
    app.post("/v1/locations/{location_id}/assignments", homes::assign);
    app.get("/v1/locations/{location_id}/assignments", homes::list);
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
    audit.close();
    coachingLog.close();
    accounts.close();
    cache.close();
    mongo.close();
    database.close();
  }
}
