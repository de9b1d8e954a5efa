package io.secretless.credentials.oauth2;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import io.secretless.core.Secret;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The client-credentials request with Nimbus oauth2-oidc-sdk: {@code client_secret_basic}, {@code
 * client_secret_post} or {@code private_key_jwt} (RS256 or ES256 by key type). Blocking.
 */
public final class NimbusTokenEndpoint implements TokenEndpoint {
  private final OAuth2Settings settings;
  private final Supplier<Secret> clientSecret;

  /**
   * {@code clientSecret} is asked for on every request, so rotations apply to the next one; the
   * returned secret is destroyed after use.
   */
  public NimbusTokenEndpoint(OAuth2Settings settings, Supplier<Secret> clientSecret) {
    this.settings = settings;
    this.clientSecret = clientSecret;
  }

  @Override
  public String describe() {
    return settings.tokenUrl().toString();
  }

  @Override
  public Issued fetch() {
    HTTPRequest http = request().toHTTPRequest();
    int timeout = (int) settings.timeout().toMillis();
    http.setConnectTimeout(timeout);
    http.setReadTimeout(timeout);
    settings.caBundle().ifPresent(ca -> http.setSSLSocketFactory(ca.sockets()));
    HTTPResponse response;
    try {
      response = http.send();
    } catch (SSLException e) {
      String why =
          String.valueOf(e.getMessage()).contains("PKIX path")
              ? "its certificate does not chain to a trusted CA"
              : e.getMessage();
      throw failure(
          "failed TLS ("
              + why
              + "); if its certificate comes from a private CA, set "
              + settings.naming().caBundleSetting()
              + " to that CA's PEM",
          false,
          e);
    } catch (IOException e) {
      throw failure(
          "unreachable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", true, e);
    }
    int status = response.getStatusCode();
    TokenResponse parsed;
    try {
      parsed = TokenResponse.parse(response);
    } catch (ParseException e) {
      throw failure(
          "answered HTTP " + status + " with a body that is not a token response", true, e);
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject error = parsed.toErrorResponse().getErrorObject();
      String code = error == null || error.getCode() == null ? "no error code" : error.getCode();
      throw failure(
          "refused the request: HTTP " + status + " " + code, status >= 500 || status == 429, null);
    }
    AccessToken token = ((AccessTokenResponse) parsed).getTokens().getAccessToken();
    long lifetime = token.getLifetime();
    return new Issued(
        Secret.of(token.getValue()),
        lifetime > 0 ? Optional.of(Duration.ofSeconds(lifetime)) : Optional.empty());
  }

  private TokenEndpointException failure(String what, boolean retryable, Throwable cause) {
    return new TokenEndpointException(
        settings.naming().prefix() + "token endpoint " + describe() + " " + what, retryable, cause);
  }

  private TokenRequest request() {
    var request =
        new TokenRequest.Builder(
                settings.tokenUrl(), authentication(), new ClientCredentialsGrant())
            .scope(settings.scope().map(Scope::parse).orElse(null));
    settings.audience().ifPresent(a -> request.customParameter("audience", a));
    return request.build();
  }

  private ClientAuthentication authentication() {
    ClientID id = new ClientID(settings.clientId());
    try (Secret secret = clientSecret.get()) {
      return switch (settings.clientAuth()) {
        case CLIENT_SECRET_BASIC ->
            new ClientSecretBasic(
                id, new com.nimbusds.oauth2.sdk.auth.Secret(secret.revealString()));
        case CLIENT_SECRET_POST ->
            new ClientSecretPost(
                id, new com.nimbusds.oauth2.sdk.auth.Secret(secret.revealString()));
        case PRIVATE_KEY_JWT -> privateKeyJwt(id, secret);
      };
    }
  }

  private ClientAuthentication privateKeyJwt(ClientID id, Secret pem) {
    try {
      PrivateKey key = parsePkcs8(pem);
      JWSAlgorithm alg = key instanceof ECPrivateKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
      return new PrivateKeyJWT(id, settings.tokenUrl(), alg, key, null, null);
    } catch (GeneralSecurityException | IllegalArgumentException | JOSEException e) {
      throw failure(
          "cannot be used: private_key_jwt needs a PKCS#8 PEM private key (RSA or EC) as client_secret",
          false,
          null);
    }
  }

  private static PrivateKey parsePkcs8(Secret pem) throws GeneralSecurityException {
    String body =
        pem.revealString()
            .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    } catch (GeneralSecurityException e) {
      return KeyFactory.getInstance("EC").generatePrivate(spec);
    } finally {
      java.util.Arrays.fill(der, (byte) 0);
    }
  }
}
