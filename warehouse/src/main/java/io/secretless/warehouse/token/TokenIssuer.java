package io.secretless.warehouse.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.secretless.warehouse.Agent;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs short-lived access tokens: ES256 JWTs with {@code sub} = agent id, {@code roles}, the
 * warehouse as issuer and audience, and a TTL of five minutes unless configured otherwise.
 */
public final class TokenIssuer {
  public static final String AUDIENCE = "secretless-warehouse";
  private final ECKey key;
  private final ECDSASigner signer;
  private final String issuer;
  private final Duration ttl;
  private final Clock clock;

  public TokenIssuer(ECKey key, String issuer, Duration ttl, Clock clock) {
    this.key = key;
    this.issuer = issuer;
    this.ttl = ttl;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(key);
    } catch (JOSEException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "unusable signing key: " + e, e);
    }
  }

  public String issuer() {
    return issuer;
  }

  public Duration ttl() {
    return ttl;
  }

  /** The public key set for {@code /.well-known/jwks.json}. */
  public Map<String, Object> jwks() {
    return new JWKSet(key.toPublicJWK()).toJSONObject(true);
  }

  public ECKey publicKey() {
    return key.toPublicJWK();
  }

  public String issue(Agent agent) {
    Instant now = clock.instant();
    var claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(AUDIENCE)
            .subject(agent.id())
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now.minusSeconds(5)))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .claim("client_id", agent.id())
            .claim("roles", List.copyOf(agent.roles()))
            .build();
    var jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot sign token: " + e, e);
    }
    return jwt.serialize();
  }
}
