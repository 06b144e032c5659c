package org.saam.views;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.common.store.StoreIndexes;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.realm.SaamRealm;
import org.saam.servicekit.ServiceHttp;
import org.saam.servicekit.audit.AuditLog;
import org.saam.servicekit.reactive.Publishers;
import org.saam.views.http.ViewsApi;
import org.saam.views.query.QueryParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature-views query service: its dependencies, its routes ({@link ViewsApi} and the shared
 * ones of {@link ServiceHttp}) and its HTTP server.
 */
public final class FeatureViewsService implements ServiceHttp.Service {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureViewsService.class);

  private final FeatureViewsConfig config;
  private final SourceCatalogue catalogue;
  private final MongoClient mongo;
  private final MongoDatabase database;
  private final AuditLog audit;
  private final JwtVerifier verifier;
  private final QueryParameters parameters;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ObjectMapper json = ServiceHttp.jsonMapper();
  private Javalin server;

  private FeatureViewsService(FeatureViewsConfig config) throws IOException {
    this.config = config;
    this.catalogue = SourceCatalogue.loadFileOrDefault(config.cataloguePath());
    this.mongo = MongoClients.create(config.mongoUri());
    this.database = mongo.getDatabase(config.mongoDatabase());
    this.audit = new AuditLog(Elasticsearch.client(config.elasticsearchUrl()));
    this.verifier =
        JwtVerifier.forRealm(
            config.realmUrl(),
            config.issuer(),
            RealmNames.VIEWS_CLIENT,
            config.clockSkew(),
            allowedClients(config));
    this.parameters = new QueryParameters(catalogue, config.maxRows(), config.maxRange());
  }

  /** Opens MongoDB and the audit log, creates the indexes and starts serving. */
  public static FeatureViewsService start(FeatureViewsConfig config) throws IOException {
    return ServiceHttp.startOrClose(
        new FeatureViewsService(config),
        service -> {
          service.ensureIndexes();
          service.serve();
        });
  }

  public int port() {
    return server.port();
  }

  /** The indexes the queries rely on ({@link StoreIndexes}); creating them is idempotent. */
  private void ensureIndexes() {
    for (StoreIndexes.IndexSpec index : StoreIndexes.ALL) {
      Publishers.await(
          database
              .getCollection(index.collection())
              .createIndex(
                  Indexes.ascending(index.ascendingKeys()), new IndexOptions().name(index.name())));
    }
  }

  private void serve() {
    ServiceHttp http = new ServiceHttp("feature-views", json, metrics, audit, LOG);
    server = http.create(javalin -> javalin.staticFiles.add("/web", Location.CLASSPATH));
    ViewsApi api =
        new ViewsApi(
            catalogue,
            database,
            parameters,
            verifier,
            json,
            metrics,
            config.keycloakUrl(),
            config.webClientId());
    Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
    checks.put("mongodb", this::mongoHealthy);
    // Elasticsearch is not required: the audit log waits for it (its state is under "audit").
    routes(server, http, api, checks);
    server.start(config.bindAddress(), config.port());
    LOG.info("feature views listening on {}:{}", config.bindAddress(), server.port());
  }

  /** Every route of the service: the shared ones and the API's; needs no network to register. */
  static void routes(
      Javalin app, ServiceHttp http, ViewsApi api, Map<String, BooleanSupplier> checks) {
    http.register(
        app,
        checks,
        route -> route.startsWith("/v1/"),
        "the query failed; the error is logged with the time of this request");
    api.routes(app);
  }

  private boolean mongoHealthy() {
    try {
      Publishers.await(database.runCommand(new Document("ping", 1)));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Whose tokens the views take: the clients that may ask for the sensor API, and the web page's
   * own client (configurable, {@code SAAM_VIEWS_WEB_CLIENT}).
   */
  static java.util.Set<String> allowedClients(FeatureViewsConfig config) {
    java.util.Set<String> clients =
        new java.util.HashSet<>(SaamRealm.clientsWithScope(RealmNames.SENSOR_API));
    clients.add(config.webClientId());
    return java.util.Set.copyOf(clients);
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
    audit.close();
    mongo.close();
  }
}
