package org.saam.identity.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.saam.common.realm.RealmNames;

/**
 * Verifies Keycloak access tokens for a service: the RS256 signature against the realm's JWKS
 * (cached; fetched again, rate-limited, when a token names an unknown key id; usable through a
 * Keycloak outage of up to {@link #OUTAGE_TOLERANCE}), the issuer, expiry and not-before with a
 * small clock skew, and that it is an access token ({@code typ} Bearer) (any failure: 401), then
 * the client it was issued to ({@code azp}, against an allow-list), the audience, the required
 * scope and roles (a genuine token that lacks them: 403).
 *
 * <p>Only RS256 is accepted, so unsigned tokens ({@code alg: none}) and tokens signed with HMAC
 * using the public key as the secret are refused. Thread-safe.
 */
public final class JwtVerifier {
  /** How long the realm's keys stay usable from the cache while Keycloak does not answer. */
  public static final Duration OUTAGE_TOLERANCE = Duration.ofHours(1);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String audience;
  private final Set<String> allowedClients;

  /**
   * @param issuer the realm's issuer, for example {@code http://127.0.0.1:8180/realms/saam}
   * @param jwksUri the realm's key set, {@code <issuer>/protocol/openid-connect/certs}
   * @param audience the client id the token must be meant for
   * @param clockSkew tolerated clock difference for expiry and not-before
   */
  public JwtVerifier(String issuer, URI jwksUri, String audience, Duration clockSkew) {
    this(issuer, keySource(jwksUri, Duration.ofMinutes(5)), audience, clockSkew, Set.of());
  }

  /** With any key source (tests use an in-memory one), from any client. */
  public JwtVerifier(
      String issuer, JWKSource<SecurityContext> keys, String audience, Duration clockSkew) {
    this(issuer, keys, audience, clockSkew, Set.of());
  }

  /**
   * @param allowedClients the clients ({@code azp}) whose tokens this service takes; empty: any
   */
  public JwtVerifier(
      String issuer,
      JWKSource<SecurityContext> keys,
      String audience,
      Duration clockSkew,
      Set<String> allowedClients) {
    this.audience = audience;
    this.allowedClients = Set.copyOf(allowedClients);
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            (String) null,
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            new HashSet<>(List.of("sub", "exp", "iat")));
    claims.setMaxClockSkew((int) clockSkew.toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** For a Keycloak realm: issuer and key set from the realm URL; tokens of any client. */
  public static JwtVerifier forRealm(String realmUrl, String audience, Duration clockSkew) {
    return forRealm(realmUrl, audience, clockSkew, Set.of());
  }

  /** For a Keycloak realm, taking tokens only of {@code allowedClients} (their {@code azp}). */
  public static JwtVerifier forRealm(
      String realmUrl, String audience, Duration clockSkew, Set<String> allowedClients) {
    return forRealm(realmUrl, realmUrl, audience, clockSkew, allowedClients);
  }

  /**
   * For a Keycloak realm whose tokens name another issuer than the address the service reaches it
   * at: behind an Ingress, tokens carry the public name ({@code https://id.example.org/realms/
   * saam}) while the keys are fetched in the cluster ({@code http://keycloak:8080/realms/saam}).
   */
  public static JwtVerifier forRealm(
      String realmUrl,
      String issuer,
      String audience,
      Duration clockSkew,
      Set<String> allowedClients) {
    String realm = withoutTrailingSlash(realmUrl);
    return new JwtVerifier(
        withoutTrailingSlash(issuer),
        keySource(URI.create(realm + "/protocol/openid-connect/certs"), Duration.ofMinutes(5)),
        audience,
        clockSkew,
        allowedClients);
  }

  private static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * The realm's keys from its JWKS URI: cached for {@code cacheTime} and refreshed ahead of expiry,
   * fetched again (rate-limited) for an unknown key id, one retry on a network error, and usable
   * for {@link #OUTAGE_TOLERANCE} from the last good copy while Keycloak does not answer, so a
   * short Keycloak outage does not turn every request into a 401.
   */
  public static JWKSource<SecurityContext> keySource(URI jwksUri, Duration cacheTime) {
    try {
      long ttl = cacheTime.toMillis();
      // The library's defaults (refresh timeout 15 s, refresh ahead 30 s, at most one fetch per
      // 30 s) assume a cache of minutes; a shorter one (tests) takes half of it for each.
      return JWKSourceBuilder.create(jwksUri.toURL())
          .cache(ttl, Math.min(JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT, ttl / 2))
          .refreshAheadCache(Math.min(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME, ttl / 2), true)
          .rateLimited(Math.min(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL, ttl / 2))
          .retrying(true)
          .outageTolerant(OUTAGE_TOLERANCE.toMillis())
          .build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("JWKS URI " + jwksUri + " is not a URL", e);
    }
  }

  /**
   * Verifies an {@code Authorization} header value.
   *
   * @param authorization the header, {@code Bearer <token>}, or {@code null}
   * @param requiredScope a scope the token must carry, or {@code null}
   * @param anyOfRoles the token must carry one of these realm roles; none means any
   * @throws TokenRejectedException 401 or 403 with a reason fit to show the caller
   */
  public VerifiedToken verify(String authorization, String requiredScope, String... anyOfRoles)
      throws TokenRejectedException {
    if (authorization == null || authorization.isBlank()) {
      throw TokenRejectedException.unauthorized(
          "no bearer token: send 'Authorization: Bearer <token>'");
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw TokenRejectedException.unauthorized(
          "the Authorization header must be 'Bearer <token>'");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(authorization.substring(7).trim(), null);
    } catch (BadJWTException e) {
      throw TokenRejectedException.unauthorized("token rejected: " + e.getMessage(), e);
    } catch (KeySourceException e) {
      // Keycloak unreachable past the outage tolerance, or a new key id during an outage: the
      // token may be good, so this is not the caller's fault.
      throw TokenRejectedException.unavailable(
          "the token cannot be checked now: the realm's keys cannot be fetched ("
              + e.getMessage()
              + "); try again shortly",
          e);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw TokenRejectedException.unauthorized(
          "token rejected: not a valid RS256-signed token of this realm (" + e.getMessage() + ")",
          e);
    }
    // Keycloak marks its access tokens typ "Bearer"; an ID or refresh token of the realm is not
    // a credential for an API, whatever its audience.
    Object typ = claims.getClaim("typ");
    if (!"Bearer".equals(typ)) {
      throw TokenRejectedException.unauthorized(
          "token rejected: not an access token (typ " + typ + ", expected Bearer)");
    }
    VerifiedToken token = toToken(claims);
    if (!allowedClients.isEmpty() && !allowedClients.contains(token.clientId())) {
      throw TokenRejectedException.forbidden(
          "tokens of client '"
              + token.clientId()
              + "' are not taken here (only "
              + new java.util.TreeSet<>(allowedClients)
              + ")");
    }
    // A genuine token of the realm that is meant for another service is not enough: 403, as for
    // a missing scope (RFC 6750 "insufficient_scope"), not 401.
    if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
      throw TokenRejectedException.forbidden(
          "the token is not meant for "
              + audience
              + " (audience "
              + claims.getAudience()
              + "); ask for the scope that grants it");
    }
    if (requiredScope != null && !token.scopes().contains(requiredScope)) {
      throw TokenRejectedException.forbidden(
          "the token lacks scope '" + requiredScope + "' (it has " + token.scopes() + ")");
    }
    if (anyOfRoles.length > 0 && Arrays.stream(anyOfRoles).noneMatch(token.roles()::contains)) {
      throw TokenRejectedException.forbidden(
          "this needs one of the roles " + Arrays.toString(anyOfRoles));
    }
    return token;
  }

  public String audience() {
    return audience;
  }

  /** The claim as a set of ids: a list, one string, or absent. */
  private static Set<String> caresFor(Object claim) throws ParseException {
    if (claim == null) {
      return Set.of();
    }
    if (claim instanceof String one) {
      return Set.of(one);
    }
    if (claim instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      return list.stream().map(String.class::cast).collect(java.util.stream.Collectors.toSet());
    }
    throw new ParseException("saam_cares_for is neither a string nor a list of strings", 0);
  }

  @SuppressWarnings("unchecked")
  private static VerifiedToken toToken(JWTClaimsSet claims) throws TokenRejectedException {
    try {
      String scope = claims.getStringClaim("scope");
      Set<String> scopes =
          scope == null ? Set.of() : Set.copyOf(Arrays.asList(scope.trim().split("\\s+")));
      Map<String, Object> realmAccess = claims.getJSONObjectClaim("realm_access");
      Set<String> roles =
          realmAccess == null || !(realmAccess.get("roles") instanceof List<?> list)
              ? Set.of()
              : Set.copyOf((List<String>) list);
      return new VerifiedToken(
          claims.getSubject(),
          claims.getStringClaim("preferred_username"),
          claims.getStringClaim("azp"),
          scopes,
          roles,
          claims.getExpirationTime().toInstant(),
          claims.getStringClaim(RealmNames.USER_ID_CLAIM),
          caresFor(claims.getClaim(RealmNames.CARES_FOR_CLAIM)));
    } catch (ParseException | ClassCastException e) {
      throw TokenRejectedException.unauthorized("token claims have unexpected types", e);
    }
  }
}
