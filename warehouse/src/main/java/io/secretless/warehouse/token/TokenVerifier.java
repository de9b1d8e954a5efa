package io.secretless.warehouse.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies bearer tokens: signature against the issuer's keys (the warehouse's own, or a trusted
 * external issuer's JWKS, fetched and cached by Nimbus), issuer, audience, expiry (60 s skew) and
 * presence of {@code sub}. Roles come from the {@code roles} claim.
 */
public final class TokenVerifier {
  private static final Set<JWSAlgorithm> EXTERNAL_ALGS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.EdDSA);
  private static final int CACHE_LIMIT = 10_000;
  private final Map<String, DefaultJWTProcessor<SecurityContext>> processors = new HashMap<>();
  private final Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

  /** A verified token's subject and roles. */
  public record Verified(String subject, Set<String> roles) {}

  public TokenVerifier(Optional<TokenIssuer> local, List<TrustedIssuer> external) {
    local.ifPresent(
        issuer ->
            processors.put(
                issuer.issuer(),
                processor(
                    new ImmutableJWKSet<>(new JWKSet(issuer.publicKey())),
                    Set.of(JWSAlgorithm.ES256),
                    issuer.issuer(),
                    TokenIssuer.AUDIENCE)));
    for (TrustedIssuer t : external) {
      JWKSource<SecurityContext> source;
      try {
        source = JWKSourceBuilder.<SecurityContext>create(t.jwksUrl().toURL()).build();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw WarehouseException.badRequest(
            "trusted issuer " + t.issuer() + ": bad JWKS URL " + t.jwksUrl());
      }
      processors.put(t.issuer(), processor(source, EXTERNAL_ALGS, t.issuer(), t.audience()));
    }
  }

  private static DefaultJWTProcessor<SecurityContext> processor(
      JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algs, String issuer, String audience) {
    var p = new DefaultJWTProcessor<SecurityContext>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, keys));
    p.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audience,
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            Set.of("sub", "exp", "iat")));
    return p;
  }

  /**
   * Verifies {@code token}, answering repeats from a cache of verified tokens (keyed by the token's
   * SHA-256, held until the token's expiry) so a busy agent does not pay a signature check per
   * request.
   */
  public Verified verify(String token) {
    String key = digest(token);
    Cached hit = cache.get(key);
    if (hit != null && java.time.Instant.now().isBefore(hit.expires())) {
      return hit.verified();
    }
    Verified v = verifyUncached(token);
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(key, new Cached(v, expiryOf(token)));
    return v;
  }

  private record Cached(Verified verified, java.time.Instant expires) {}

  private static java.time.Instant expiryOf(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
    } catch (ParseException e) {
      return java.time.Instant.EPOCH;
    }
  }

  private static String digest(String token) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Verified verifyUncached(String token) {
    try {
      String issuer = SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
      var processor = issuer == null ? null : processors.get(issuer);
      if (processor == null) {
        throw unauthorized("token issuer " + issuer + " is not trusted");
      }
      JWTClaimsSet claims = processor.process(token, null);
      List<String> roles = claims.getStringListClaim("roles");
      return new Verified(claims.getSubject(), roles == null ? Set.of() : Set.copyOf(roles));
    } catch (ParseException e) {
      throw unauthorized("bearer token is not a signed JWT");
    } catch (BadJOSEException e) {
      throw unauthorized("bearer token rejected: " + e.getMessage());
    } catch (com.nimbusds.jose.JOSEException e) {
      throw unauthorized("bearer token could not be verified: " + e.getMessage());
    }
  }

  private static WarehouseException unauthorized(String message) {
    return new WarehouseException(ErrorCode.UNAUTHORIZED, message);
  }
}
