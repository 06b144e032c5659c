package org.saam.servicekit.http;

import java.util.Map;

/**
 * An answer that is an error: rendered as {@code application/problem+json} (RFC 9457) with a
 * status, a title and a detail saying what to change.
 */
public final class ProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String title;
  private final transient Map<String, Object> extensions;

  public ProblemException(int status, String title, String detail) {
    this(status, title, detail, Map.of());
  }

  public ProblemException(int status, String title, String detail, Map<String, Object> extensions) {
    super(detail);
    this.status = status;
    this.title = title;
    this.extensions = Map.copyOf(extensions);
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "Invalid request", detail);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "Not found", detail);
  }

  public static ProblemException conflict(String detail, Map<String, Object> extensions) {
    return new ProblemException(409, "Conflict", detail, extensions);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public Map<String, Object> extensions() {
    return extensions;
  }
}
