package org.saam.servicekit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.servicekit.audit.AuditLog;
import org.saam.servicekit.http.ProblemResponses;
import org.slf4j.Logger;

/**
 * The HTTP skeleton every SAAM service shares: one JSON mapper, the Javalin server, {@code /health}
 * and {@code /metrics}, problem+json answers, request metrics and the audit record of every audited
 * request. A service adds its own routes and nothing else.
 */
public final class ServiceHttp {
  /** Request attribute holding the verified caller ({@link VerifiedToken}), set by the service. */
  public static final String CALLER = "saam.caller";

  private static final String STARTED = "saam.started";
  private static final String AUDIT_DETAILS = "saam.audit";

  private final String service;
  private final ObjectMapper json;
  private final PrometheusMeterRegistry metrics;
  private final AuditLog audit;
  private final Logger log;

  /**
   * @param service the service's name in audit records, for example {@code user-service}
   */
  public ServiceHttp(
      String service,
      ObjectMapper json,
      PrometheusMeterRegistry metrics,
      AuditLog audit,
      Logger log) {
    this.service = service;
    this.json = json;
    this.metrics = metrics;
    this.audit = audit;
    this.log = log;
    Gauge.builder("saam_audit_backlog", audit, AuditLog::backlog)
        .description("audit records waiting to be written to Elasticsearch")
        .register(metrics);
    FunctionCounter.builder("saam_audit_failures", audit, AuditLog::failures)
        .description("failed audit bulk writes (their records are kept and retried)")
        .register(metrics);
    FunctionCounter.builder("saam_audit_dropped", audit, AuditLog::dropped)
        .description("audit records dropped because the buffer was full")
        .register(metrics);
  }

  /** A service: it opens its stores and server when started and closes them, once, at the end. */
  public interface Service extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Runs {@code start} on a constructed service; if it fails, closes what the service opened before
   * the failure travels on.
   */
  public static <S extends Service> S startOrClose(S service, Consumer<S> start) {
    try {
      start.accept(service);
      return service;
    } catch (RuntimeException e) {
      try {
        service.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** The JSON mapper of the services: ISO-8601 times, Java time types. */
  public static ObjectMapper jsonMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  /** A server with the shared settings plus the service's own ({@code more}); not started. */
  public Javalin create(Consumer<JavalinConfig> more) {
    return Javalin.create(
        javalin -> {
          javalin.showJavalinBanner = false;
          javalin.jsonMapper(new JavalinJackson(json, false));
          javalin.router.ignoreTrailingSlashes = true;
          more.accept(javalin);
        });
  }

  /**
   * Registers the shared routes and handlers on {@code app}.
   *
   * @param checks named health checks, in the order {@code /health} lists them
   * @param audited which routes (as registered, for example {@code /v1/users/{id}}) get an audit
   *     record
   * @param internalDetail what a caller is told about an unexpected failure
   */
  public void register(
      Javalin app,
      Map<String, BooleanSupplier> checks,
      Predicate<String> audited,
      String internalDetail) {
    app.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
    app.get("/health", ctx -> health(ctx, checks));
    // Liveness: the process serves HTTP. Dependencies are /health's business (readiness), so an
    // outage of one takes pods out of rotation instead of restarting them all.
    app.get("/health/live", ctx -> ctx.json(Map.of("status", "up")));
    app.get(
        "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
    ProblemResponses.register(app, json, log, internalDetail);
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
    app.after(ctx -> measureAndAudit(ctx, audited));
  }

  /** Adds {@code key} to the audit record of this request (what it read or changed, never data). */
  public static void auditDetail(Context ctx, String key, Object value) {
    Map<String, Object> details = ctx.attribute(AUDIT_DETAILS);
    if (details == null) {
      details = new LinkedHashMap<>();
      ctx.attribute(AUDIT_DETAILS, details);
    }
    details.put(key, value);
  }

  /**
   * {@code up} (200) when every check passes; {@code down} (503) when one fails; {@code degraded}
   * (200: requests are served) when only the audit log is behind (Elasticsearch away, records
   * waiting or dropped), with the reason under {@code checks.audit}.
   */
  private void health(Context ctx, Map<String, BooleanSupplier> checks) {
    Map<String, Object> results = new LinkedHashMap<>();
    checks.forEach((name, check) -> results.put(name, check.getAsBoolean() ? "up" : "down"));
    boolean up = !results.containsValue("down");
    AuditLog.Health auditHealth = audit.health();
    results.put("audit", auditHealth.detail());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", !up ? "down" : auditHealth.up() ? "up" : "degraded");
    body.put("checks", results);
    ctx.status(up ? 200 : 503).json(body);
  }

  /** Metrics and the audit record of a request: who, what, when, outcome; never bodies. */
  private void measureAndAudit(Context ctx, Predicate<String> audited) {
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
    if (!audited.test(route)) {
      return;
    }
    VerifiedToken caller = ctx.attribute(CALLER);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("ts", Instant.now().toString());
    record.put("service", service);
    record.put("actor", caller == null ? null : caller.actor());
    record.put("actor_id", caller == null ? null : caller.subject());
    record.put("client_id", caller == null ? null : caller.clientId());
    record.put("method", ctx.method().name());
    record.put("route", route);
    Map<String, Object> details = ctx.attribute(AUDIT_DETAILS);
    if (details != null) {
      record.putAll(details);
    }
    record.put("status", ctx.statusCode());
    record.put("outcome", ctx.statusCode() < 400 ? "success" : "failure");
    record.put("duration_ms", nanos / 1_000_000);
    audit.record(record); // queued: never waits for Elasticsearch (AuditLog)
  }
}
