package org.saam.users.http;

import io.javalin.http.Context;
import org.saam.common.realm.RealmNames;
import org.saam.identity.jwt.JwtVerifier;
import org.saam.identity.jwt.TokenRejectedException;
import org.saam.identity.jwt.VerifiedToken;
import org.saam.servicekit.ServiceHttp;

/** Who is calling: every API request needs a token of realm saam with scope {@code userapi}. */
public final class Callers {
  static final String ATTRIBUTE = ServiceHttp.CALLER;

  private final JwtVerifier verifier;

  public Callers(JwtVerifier verifier) {
    this.verifier = verifier;
  }

  /** The verified caller, with one of the roles when any are given. */
  public VerifiedToken require(Context ctx, String... anyOfRoles) throws TokenRejectedException {
    VerifiedToken token =
        verifier.verify(ctx.header("Authorization"), RealmNames.USER_API, anyOfRoles);
    ctx.attribute(ATTRIBUTE, token);
    return token;
  }
}
