package org.saam.users.http;

import io.javalin.http.Context;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.jwt.TokenRejectedException;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.identity.realm.SaamRealm;

/** Who is calling: every API request needs a token of realm saam with scope {@code userapi}. */
public final class Callers {
  static final String ATTRIBUTE = "saam.caller";

  private final JwtVerifier verifier;

  public Callers(JwtVerifier verifier) {
    this.verifier = verifier;
  }

  /** The verified caller, with one of the roles when any are given. */
  public VerifiedToken require(Context ctx, String... anyOfRoles) throws TokenRejectedException {
    VerifiedToken token =
        verifier.verify(ctx.header("Authorization"), SaamRealm.USER_API, anyOfRoles);
    ctx.attribute(ATTRIBUTE, token);
    return token;
  }
}
