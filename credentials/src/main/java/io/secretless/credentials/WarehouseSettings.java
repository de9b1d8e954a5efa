package io.secretless.credentials;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import io.secretless.config.Durations;
import io.secretless.core.Secret;
import io.secretless.credentials.oauth2.CaBundle;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where {@code from: warehouse} finds the warehouse and the broker's own client credentials, read
 * from the broker's environment:
 *
 * <ul>
 *   <li>{@value #URL} — the warehouse API, default {@value #DEFAULT_URL};
 *   <li>{@value #CLIENT_ID} and {@value #CLIENT_SECRET}, or else {@value #CLIENT_FILE} naming a
 *       JSON file with {@code client_id}, {@code client_secret} and optionally {@code url} (the
 *       file {@code secretless warehouse init} writes to {@code .secretless/admin-client.json});
 *       {@value #URL} wins over the file's {@code url};
 *   <li>{@value #CA_BUNDLE} — a PEM file of the CAs an https warehouse's certificate chains to,
 *       instead of the JDK trust store;
 *   <li>{@value #CACHE_TTL} — how long a fetched value may serve other connections ({@code 30s},
 *       {@code 5m}; default {@code 0}: never cached, every connection fetches);
 *   <li>{@value #CACHE_REFRESH} — how old a cached value may get before a connection that uses it
 *       starts a background re-fetch; less than the ttl, default half of it;
 *   <li>{@value #CACHE_PUSH} — with a ttl: {@code on} (default) watches the warehouse's change feed
 *       and drops a cached value as soon as its credential is rotated, deleted or revoked; {@code
 *       off} leaves it to the refresh and the one retry.
 * </ul>
 *
 * @param timeout connect and read timeout of each request to the warehouse
 * @param cache how long fetched values serve, and when they are re-fetched
 */
public record WarehouseSettings(
    URI url,
    String clientId,
    Secret clientSecret,
    Optional<CaBundle> caBundle,
    Duration timeout,
    Cache cache) {
  public static final String URL = "SECRETLESS_WAREHOUSE_URL";
  public static final String CLIENT_ID = "SECRETLESS_WAREHOUSE_CLIENT_ID";
  public static final String CLIENT_SECRET = "SECRETLESS_WAREHOUSE_CLIENT_SECRET";
  public static final String CLIENT_FILE = "SECRETLESS_WAREHOUSE_CLIENT_FILE";
  public static final String CA_BUNDLE = "SECRETLESS_WAREHOUSE_CA_BUNDLE";
  public static final String CACHE_TTL = "SECRETLESS_WAREHOUSE_CACHE_TTL";
  public static final String CACHE_REFRESH = "SECRETLESS_WAREHOUSE_CACHE_REFRESH";
  public static final String CACHE_PUSH = "SECRETLESS_WAREHOUSE_CACHE_PUSH";

  /**
   * The value cache: a value serves for {@code ttl} from its fetch; one older than {@code refresh}
   * is re-fetched in the background when a connection uses it; with {@code push} a rotation,
   * deletion or revocation the warehouse reports drops it at once. {@link #OFF}: not cached.
   */
  public record Cache(Duration ttl, Duration refresh, boolean push) {
    public static final Cache OFF = new Cache(Duration.ZERO, Duration.ZERO, false);

    /** With push on. */
    public Cache(Duration ttl, Duration refresh) {
      this(ttl, refresh, true);
    }

    public boolean on() {
      return ttl.isPositive();
    }
  }

  public static final String DEFAULT_URL = "http://127.0.0.1:8200";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Reads the variables above through {@code env} (blank counts as unset).
   *
   * @throws CredentialException naming the variables to set, or the file or URL that is wrong;
   *     never the client secret
   */
  public static WarehouseSettings from(Function<String, String> env) {
    Optional<String> id = value(env, CLIENT_ID);
    Optional<String> secret = value(env, CLIENT_SECRET);
    Optional<String> file = value(env, CLIENT_FILE);
    Map<String, Object> fromFile = Map.of();
    if (id.isPresent() != secret.isPresent()) {
      throw new CredentialException(
          "warehouse provider: set both "
              + CLIENT_ID
              + " and "
              + CLIENT_SECRET
              + " ("
              + (id.isPresent() ? CLIENT_SECRET : CLIENT_ID)
              + " is not set)");
    }
    if (id.isEmpty()) {
      if (file.isEmpty()) {
        throw new CredentialException(
            "warehouse provider: no client credentials: set "
                + CLIENT_ID
                + " and "
                + CLIENT_SECRET
                + ", or "
                + CLIENT_FILE
                + " to a JSON file with client_id and client_secret (such as the"
                + " .secretless/admin-client.json that `secretless warehouse init` writes)");
      }
      fromFile = readClientFile(Path.of(file.get()));
      id = Optional.of(field(fromFile, "client_id", file.get()));
      secret = Optional.of(field(fromFile, "client_secret", file.get()));
    }
    String fileUrl = fromFile.get("url") instanceof String u && !u.isBlank() ? u : DEFAULT_URL;
    URI url = parseUrl(value(env, URL).orElse(fileUrl));
    Optional<CaBundle> ca = value(env, CA_BUNDLE).map(p -> caBundle(url, p));
    return new WarehouseSettings(
        url, id.get(), Secret.of(secret.get()), ca, DEFAULT_TIMEOUT, cache(env));
  }

  private static Cache cache(Function<String, String> env) {
    Duration ttl = value(env, CACHE_TTL).map(t -> duration(CACHE_TTL, t)).orElse(Duration.ZERO);
    Optional<Duration> refresh = value(env, CACHE_REFRESH).map(t -> duration(CACHE_REFRESH, t));
    Optional<Boolean> push = value(env, CACHE_PUSH).map(WarehouseSettings::push);
    if (!ttl.isPositive()) {
      if (refresh.isPresent() || push.orElse(false)) {
        throw new CredentialException(
            "warehouse provider: "
                + (refresh.isPresent() ? CACHE_REFRESH : CACHE_PUSH + "=on")
                + " needs "
                + CACHE_TTL
                + " (the cache is off)");
      }
      return Cache.OFF;
    }
    Duration every = refresh.orElse(ttl.dividedBy(2));
    if (!every.isPositive() || every.compareTo(ttl) >= 0) {
      throw new CredentialException(
          "warehouse provider: "
              + CACHE_REFRESH
              + " must be more than 0 and less than "
              + CACHE_TTL
              + " ("
              + ttl.toSeconds()
              + " s), got "
              + every.toMillis()
              + " ms");
    }
    return new Cache(ttl, every, push.orElse(true));
  }

  private static boolean push(String text) {
    return switch (text) {
      case "on" -> true;
      case "off" -> false;
      default ->
          throw new CredentialException(
              "warehouse provider: " + CACHE_PUSH + " must be on or off, got '" + text + "'");
    };
  }

  /** The environment of this process, then system properties of the same names. */
  public static WarehouseSettings fromEnvironment() {
    return from(name -> Optional.ofNullable(System.getenv(name)).orElse(System.getProperty(name)));
  }

  /** The warehouse's OAuth2 token endpoint. */
  public URI tokenUrl() {
    return URI.create(url + "/v1/oauth/token");
  }

  private static Optional<String> value(Function<String, String> env, String name) {
    return Optional.ofNullable(env.apply(name)).map(String::trim).filter(v -> !v.isEmpty());
  }

  private static Map<String, Object> readClientFile(Path path) {
    String where = "warehouse provider: " + CLIENT_FILE + " " + path;
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CredentialException(
          where + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return JSONObjectUtils.parse(text);
    } catch (ParseException e) {
      // The parser's message may quote the file, which holds the secret.
      throw new CredentialException(where + " is not a JSON object");
    }
  }

  private static String field(Map<String, Object> json, String name, String file) {
    if (json.get(name) instanceof String s && !s.isBlank()) {
      return s;
    }
    throw new CredentialException(
        "warehouse provider: " + CLIENT_FILE + " " + file + " has no string field " + name);
  }

  private static URI parseUrl(String text) {
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if (uri.getHost() == null || uri.getScheme() == null || !uri.getScheme().matches("https?")) {
        throw new URISyntaxException(text, "needs http:// or https:// and a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CredentialException(
          "warehouse provider: warehouse URL '" + text + "' (" + URL + ") is not a valid URL");
    }
  }

  private static Duration duration(String variable, String text) {
    return Durations.parse(text)
        .orElseThrow(
            () ->
                new CredentialException(
                    "warehouse provider: "
                        + variable
                        + " must be "
                        + Durations.EXPECTED
                        + (variable.equals(CACHE_TTL) ? " (or 0: no cache)" : "")
                        + ", got '"
                        + text
                        + "'"));
  }

  private static CaBundle caBundle(URI url, String path) {
    if (!"https".equals(url.getScheme())) {
      throw new CredentialException(
          "warehouse provider: " + CA_BUNDLE + " needs an https:// warehouse URL, got " + url);
    }
    try {
      return CaBundle.load(Path.of(path));
    } catch (IllegalArgumentException e) {
      throw new CredentialException("warehouse provider: " + CA_BUNDLE + ": " + e.getMessage());
    }
  }
}
