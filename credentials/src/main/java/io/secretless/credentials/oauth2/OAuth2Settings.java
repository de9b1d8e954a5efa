package io.secretless.credentials.oauth2;

import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.OAuth2Authentication;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How one service obtains its OAuth2 token (client-credentials grant).
 *
 * <p>Defaults, all overridable in the block's {@code config}: {@code expiry_skew_seconds} 30 (a
 * token is no longer handed out this long before it expires; at most half its life), {@code
 * default_lifetime_seconds} 60 (used when the response has no {@code expires_in}), {@code
 * timeout_seconds} 10 (connect and read), {@code max_attempts} 3 (with exponential backoff from
 * {@code retry_backoff_millis} 200 and 50 % jitter), {@code ca_bundle} none (an https token
 * endpoint is verified against the JDK trust store; a PEM file here replaces it), {@code audience}
 * none (sent as the {@code audience} form parameter, as Auth0 and others require).
 */
public record OAuth2Settings(
    String service,
    URI tokenUrl,
    String clientId,
    Optional<String> scope,
    Optional<String> audience,
    ClientAuth clientAuth,
    Duration expirySkew,
    Duration defaultLifetime,
    double refreshAheadFraction,
    Duration timeout,
    int maxAttempts,
    Duration retryBackoff,
    Optional<CaBundle> caBundle,
    Naming naming) {

  /**
   * How messages name the token source's owner ({@code service NAME}, or nothing when the caller
   * adds its own context) and the setting that holds a CA bundle ({@code ca_bundle} in config).
   */
  public record Naming(String owner, String caBundleSetting) {
    static Naming service(String name) {
      return new Naming("service " + name, "ca_bundle");
    }

    /** The owner followed by ": ", or nothing. */
    String prefix() {
      return owner.isEmpty() ? "" : owner + ": ";
    }
  }

  /** How the client authenticates to the token endpoint. */
  public enum ClientAuth {
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    /** The client secret holds a PKCS#8 PEM private key (RSA or EC) that signs the assertion. */
    PRIVATE_KEY_JWT;

    static ClientAuth parse(String text, ConfigTree where) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            where.position("client_auth"),
            "client_auth '"
                + text
                + "' is not one of client_secret_basic, client_secret_post, private_key_jwt");
      }
    }
  }

  /** Reads the parsed {@code authentication: - type: oauth2} block of {@code service}. */
  public static OAuth2Settings of(String service, OAuth2Authentication auth) {
    ConfigTree c = auth.config();
    URI uri;
    try {
      uri = new URI(auth.tokenUrl());
      if (uri.getHost() == null || !uri.getScheme().matches("https?")) {
        throw new URISyntaxException(auth.tokenUrl(), "needs http:// or https:// and a host");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException(
          c.position("token_url"),
          "service " + service + ": token_url '" + auth.tokenUrl() + "' is not a valid URL");
    }
    return new OAuth2Settings(
        service,
        uri,
        auth.clientId(),
        auth.scope().filter(s -> !s.isBlank()),
        c.string("audience").map(String::trim).filter(a -> !a.isEmpty()),
        ClientAuth.parse(auth.clientAuth(), c),
        seconds(c, "expiry_skew_seconds", 30),
        seconds(c, "default_lifetime_seconds", 60),
        0.8,
        seconds(c, "timeout_seconds", 10),
        (int) number(c, "max_attempts", 3),
        Duration.ofMillis(number(c, "retry_backoff_millis", 200)),
        caBundle(service, uri, c),
        Naming.service(service));
  }

  private static Optional<CaBundle> caBundle(String service, URI tokenUrl, ConfigTree c) {
    Optional<String> file = c.string("ca_bundle").filter(f -> !f.isBlank());
    if (file.isEmpty()) {
      return Optional.empty();
    }
    String where = "service " + service + ": ca_bundle: ";
    if (!"https".equals(tokenUrl.getScheme())) {
      throw new ConfigException(
          c.position("ca_bundle"), where + "needs an https:// token_url, got " + tokenUrl);
    }
    try {
      return Optional.of(CaBundle.load(Path.of(file.get().trim())));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(c.position("ca_bundle"), where + e.getMessage());
    }
  }

  private static Duration seconds(ConfigTree c, String key, long dflt) {
    return Duration.ofSeconds(number(c, key, dflt));
  }

  private static long number(ConfigTree c, String key, long dflt) {
    Optional<String> v = c.string(key);
    if (v.isEmpty()) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.get().trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          c.position(key), "'" + key + "' must be a whole number >= 0, got '" + v.get() + "'");
    }
  }
}
