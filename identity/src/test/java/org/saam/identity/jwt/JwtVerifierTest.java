package org.saam.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token checks with keys made here; the integration tests use real Keycloak tokens. */
class JwtVerifierTest {
  private static final String ISSUER = "http://127.0.0.1:8180/realms/saam";
  private static RSAKey realmKey;
  private static RSAKey strangerKey;
  private static JwtVerifier verifier;

  @BeforeAll
  static void keys() throws Exception {
    realmKey = new RSAKeyGenerator(2048).keyID("realm-key").generate();
    strangerKey = new RSAKeyGenerator(2048).keyID("realm-key").generate();
    verifier =
        new JwtVerifier(
            ISSUER,
            new ImmutableJWKSet<>(new JWKSet(realmKey.toPublicJWK())),
            "saam-user-service",
            Duration.ofSeconds(5));
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("user-1")
        .audience(List.of("saam-user-service", "account"))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("scope", "openid profile userapi")
        .claim("preferred_username", "ana")
        .claim("azp", "saam-app")
        .claim("typ", "Bearer")
        .claim("realm_access", Map.of("roles", List.of("participant")));
  }

  private static String sign(JWTClaimsSet claims, RSAKey key) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static int statusOf(String header) {
    try {
      verifier.verify(header, "userapi");
      return 200;
    } catch (TokenRejectedException e) {
      return e.status();
    }
  }

  @Test
  void acceptsATokenOfTheRealmWithTheScope() throws Exception {
    VerifiedToken token = verifier.verify("Bearer " + sign(claims().build(), realmKey), "userapi");

    assertThat(token.subject()).isEqualTo("user-1");
    assertThat(token.username()).isEqualTo("ana");
    assertThat(token.scopes()).contains("userapi", "profile");
    assertThat(token.roles()).containsExactly("participant");
    assertThat(token.clientId()).isEqualTo("saam-app");
  }

  @Test
  void missingOrMalformedHeaderIs401() {
    assertThat(statusOf(null)).isEqualTo(401);
    assertThat(statusOf("")).isEqualTo(401);
    assertThat(statusOf("Basic dXNlcjpwYXNz")).isEqualTo(401);
    assertThat(statusOf("Bearer not-a-token")).isEqualTo(401);
  }

  @Test
  void expiredTokenIs401EvenWithinAnHourOfExpiry() throws Exception {
    Instant past = Instant.now().minusSeconds(60);
    String token =
        sign(
            claims()
                .issueTime(Date.from(past.minusSeconds(300)))
                .expirationTime(Date.from(past))
                .build(),
            realmKey);

    assertThatThrownBy(() -> verifier.verify("Bearer " + token, "userapi"))
        .isInstanceOf(TokenRejectedException.class)
        .hasMessageContaining("Expired");
  }

  @Test
  void tamperedPayloadIs401() throws Exception {
    String[] parts = sign(claims().build(), realmKey).split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1])).replace("participant", "admin");
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
            + "."
            + parts[2];

    assertThat(statusOf("Bearer " + tampered)).isEqualTo(401);
  }

  @Test
  void tokenSignedByAnotherKeyWithTheSameKeyIdIs401() throws Exception {
    assertThat(statusOf("Bearer " + sign(claims().build(), strangerKey))).isEqualTo(401);
  }

  @Test
  void unsignedTokenIs401() {
    String unsigned = new PlainJWT(claims().build()).serialize();

    assertThat(statusOf("Bearer " + unsigned)).isEqualTo(401);
  }

  @Test
  void hmacSignedWithThePublicKeyIs401() throws Exception {
    byte[] publicKeyBytes = realmKey.toRSAPublicKey().getEncoded();
    byte[] secret = java.util.Arrays.copyOf(publicKeyBytes, Math.max(64, publicKeyBytes.length));
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    jwt.sign(new MACSigner(secret));

    assertThat(statusOf("Bearer " + jwt.serialize())).isEqualTo(401);
  }

  @Test
  void wrongIssuerIs401AndAGenuineTokenForAnotherServiceIs403() throws Exception {
    String otherIssuer = sign(claims().issuer("http://evil.example/realms/saam").build(), realmKey);
    String otherAudience = sign(claims().audience("saam-views").build(), realmKey);

    assertThat(statusOf("Bearer " + otherIssuer)).isEqualTo(401);
    assertThat(statusOf("Bearer " + otherAudience)).isEqualTo(403);
  }

  @Test
  void missingScopeOrRoleIs403() throws Exception {
    String noScope = "Bearer " + sign(claims().claim("scope", "openid profile").build(), realmKey);
    String participant = "Bearer " + sign(claims().build(), realmKey);

    assertThatThrownBy(() -> verifier.verify(noScope, "userapi"))
        .isInstanceOf(TokenRejectedException.class)
        .extracting(e -> ((TokenRejectedException) e).status())
        .isEqualTo(403);
    assertThatThrownBy(() -> verifier.verify(participant, "userapi", "admin"))
        .extracting(e -> ((TokenRejectedException) e).status())
        .isEqualTo(403);
    assertThat(verifier.verify(participant, "userapi", "admin", "participant").subject())
        .isEqualTo("user-1");
  }

  @Test
  void anIdOrRefreshTokenOfTheRealmIsNotAnAccessToken() throws Exception {
    assertThat(statusOf("Bearer " + sign(claims().claim("typ", "ID").build(), realmKey)))
        .isEqualTo(401);
    assertThat(statusOf("Bearer " + sign(claims().claim("typ", "Refresh").build(), realmKey)))
        .isEqualTo(401);
    assertThat(statusOf("Bearer " + sign(claims().claim("typ", null).build(), realmKey)))
        .isEqualTo(401);
  }

  @Test
  void aTokenOfAClientNotOnTheAllowListIs403() throws Exception {
    JwtVerifier onlyTheApp =
        new JwtVerifier(
            ISSUER,
            new ImmutableJWKSet<>(new JWKSet(realmKey.toPublicJWK())),
            "saam-user-service",
            Duration.ofSeconds(5),
            java.util.Set.of("saam-app"));
    String fromApp = "Bearer " + sign(claims().build(), realmKey);
    String fromElsewhere = "Bearer " + sign(claims().claim("azp", "saam-views").build(), realmKey);

    assertThat(onlyTheApp.verify(fromApp, "userapi").clientId()).isEqualTo("saam-app");
    assertThatThrownBy(() -> onlyTheApp.verify(fromElsewhere, "userapi"))
        .isInstanceOfSatisfying(
            TokenRejectedException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessageContaining("tokens of client 'saam-views' are not taken here");
  }

  @Test
  void theKeysStayUsableWhileTheRealmDoesNotAnswer() throws Exception {
    com.sun.net.httpserver.HttpServer keycloak =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    byte[] jwks =
        new JWKSet(realmKey.toPublicJWK())
            .toString()
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.util.concurrent.atomic.AtomicInteger fetched =
        new java.util.concurrent.atomic.AtomicInteger();
    keycloak.createContext(
        "/certs",
        exchange -> {
          fetched.incrementAndGet();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, jwks.length);
          exchange.getResponseBody().write(jwks);
          exchange.close();
        });
    keycloak.start();
    java.net.URI certs =
        java.net.URI.create("http://127.0.0.1:" + keycloak.getAddress().getPort() + "/certs");
    // A cache of one second, so the outage below outlasts it.
    JwtVerifier cachedBriefly =
        new JwtVerifier(
            ISSUER,
            JwtVerifier.keySource(certs, Duration.ofSeconds(1)),
            "saam-user-service",
            Duration.ofSeconds(5),
            java.util.Set.of());
    String token = "Bearer " + sign(claims().build(), realmKey);
    assertThat(cachedBriefly.verify(token, "userapi").subject()).isEqualTo("user-1");
    assertThat(fetched.get()).isEqualTo(1);

    keycloak.stop(0); // Keycloak away: connections refused
    Thread.sleep(2_500);

    assertThat(cachedBriefly.verify(token, "userapi").subject()).isEqualTo("user-1");
  }

  @Test
  void keysThatCannotBeFetchedAre503NotAnInvalidToken() throws Exception {
    java.net.ServerSocket free = new java.net.ServerSocket(0);
    int nobody = free.getLocalPort();
    free.close(); // nothing listens there any more: Keycloak is down
    JwtVerifier keycloakDown =
        new JwtVerifier(
            ISSUER,
            JwtVerifier.keySource(
                java.net.URI.create("http://127.0.0.1:" + nobody + "/certs"),
                Duration.ofMinutes(5)),
            "saam-user-service",
            Duration.ofSeconds(5),
            java.util.Set.of());

    assertThatThrownBy(
            () -> keycloakDown.verify("Bearer " + sign(claims().build(), realmKey), "userapi"))
        .isInstanceOfSatisfying(
            TokenRejectedException.class, e -> assertThat(e.status()).isEqualTo(503))
        .hasMessageContaining("the realm's keys cannot be fetched");
  }
}
