package org.saam.servicekit.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.saam.identity.jwt.TokenRejectedException;
import org.slf4j.Logger;

/**
 * The error answers every service gives, as {@code application/problem+json} (RFC 9457): problems
 * the handlers raise, rejected tokens (401/403), unknown endpoints (404), and anything unexpected
 * (500, logged with its stack trace, never shown to the caller).
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  /**
   * Registers the handlers on a service's server.
   *
   * @param internalDetail what a caller is told about an unexpected failure
   */
  public static void register(Javalin app, ObjectMapper json, Logger log, String internalDetail) {
    app.exception(
        ProblemException.class,
        (e, ctx) ->
            answer(
                log,
                ctx,
                e,
                () -> write(ctx, json, e.status(), e.title(), e.getMessage(), e.extensions())));
    app.exception(
        TokenRejectedException.class,
        (e, ctx) ->
            answer(
                log,
                ctx,
                e,
                () ->
                    write(
                        ctx,
                        json,
                        e.status(),
                        switch (e.status()) {
                          case 401 -> "Unauthorized";
                          case 503 -> "Token cannot be checked now";
                          default -> "Forbidden";
                        },
                        e.getMessage(),
                        Map.of())));
    app.exception(
        Exception.class,
        (e, ctx) ->
            answer(
                log,
                ctx,
                e,
                () -> {
                  log.error("request {} {} failed", ctx.method(), ctx.path(), e);
                  write(ctx, json, 500, "Internal error", internalDetail, Map.of());
                }));
    app.error(
        404,
        ctx -> {
          // Javalin fills in its own text for unknown endpoints; a 404 problem of a handler stays.
          String type = ctx.res().getContentType();
          if (type == null || !type.startsWith("application/problem+json")) {
            write(
                ctx,
                json,
                404,
                "Not found",
                "no such endpoint: " + ctx.method() + " " + ctx.path(),
                Map.of());
          }
        });
  }

  /**
   * Runs an error answer that must not throw: Javalin 6 hands an exception thrown by an exception
   * handler to the handlers again, and a handler that keeps failing (a request whose connection is
   * gone and whose context can no longer be read) then spins that request's thread forever
   * (javalin/javalin#2422). When the answer cannot be written there is nobody left to tell, so the
   * failure is logged with the exception that caused the answer, and the request ends.
   */
  static void answer(Logger log, Context ctx, Exception cause, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException unanswerable) {
      unanswerable.addSuppressed(cause);
      log.warn("could not answer a failed request (client gone?)", unanswerable);
    }
  }

  /** Answers with a problem document. */
  public static void write(
      Context ctx,
      ObjectMapper json,
      int status,
      String title,
      String detail,
      Map<String, Object> extensions) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    body.putAll(extensions);
    try {
      ctx.status(status)
          .contentType("application/problem+json")
          .result(json.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      ctx.status(status).result(detail);
    }
  }
}
