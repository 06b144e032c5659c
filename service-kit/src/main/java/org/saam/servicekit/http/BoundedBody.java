package org.saam.servicekit.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body with a limit that holds whatever the client declares. Javalin checks only
 * {@code Content-Length}; a chunked body has none and would be read whole into memory. This reads
 * at most one byte past the limit from the stream and answers 413 if the body is longer.
 */
public final class BoundedBody {
  private BoundedBody() {}

  /**
   * The body's bytes.
   *
   * @param limit the most bytes accepted
   * @param what what the body is, for the problem answer ("the body", "the photo")
   * @throws ProblemException 413 when the body is longer than {@code limit}, 400 when it cannot be
   *     read
   */
  public static byte[] read(Context ctx, int limit, String what) {
    long declared = ctx.contentLength();
    if (declared > limit) {
      throw tooLarge(what, declared + " bytes", limit);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw tooLarge(what, "more than " + limit + " bytes", limit);
      }
      return body;
    } catch (IOException e) {
      throw ProblemException.badRequest(what + " could not be read: " + e.getMessage());
    }
  }

  private static ProblemException tooLarge(String what, String size, int limit) {
    return new ProblemException(
        413, "Request body too large", what + " is " + size + "; the limit is " + limit + " bytes");
  }
}
