package org.saam.identity.jwt;

/**
 * A bearer token was not accepted. {@link #status()} is what the service answers: 401 when the
 * token itself is missing or invalid, 403 when it is valid but lacks the scope or role, 503 when it
 * cannot be checked because the realm's keys cannot be fetched (the token may well be good: a
 * client should try again, not sign the person out).
 */
public final class TokenRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  private TokenRejectedException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public static TokenRejectedException unauthorized(String message) {
    return new TokenRejectedException(401, message, null);
  }

  public static TokenRejectedException unauthorized(String message, Throwable cause) {
    return new TokenRejectedException(401, message, cause);
  }

  public static TokenRejectedException unavailable(String message, Throwable cause) {
    return new TokenRejectedException(503, message, cause);
  }

  public static TokenRejectedException forbidden(String message) {
    return new TokenRejectedException(403, message, null);
  }

  public int status() {
    return status;
  }
}
