package io.secretless.http;

import io.secretless.config.ConfigError;
import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.ServiceConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One HTTP service compiled for serving: its URL rules, its precompiled header and query templates,
 * and where requests go (forward proxy with optional {@code forceSSL}, or a fixed reverse-proxy
 * {@code upstream}).
 */
record HttpRoute(
    ServiceConfig service,
    List<Pattern> urlPatterns,
    Map<String, HeaderTemplate> headers,
    Map<String, HeaderTemplate> queryParams,
    boolean forceSsl,
    Optional<URI> upstream,
    Optional<String> caBundle,
    boolean forwardUnmatched,
    boolean usesAccessToken,
    Optional<AwsSigning> aws,
    Optional<OAuth1> oauth1,
    Duration responseTimeout) {

  /** How long the upstream may take to start its response when {@code responseTimeout} is unset. */
  static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * {@code config.oauth1}: templates for consumer_key, consumer_secret, token, token_secret, and
   * the signature method (HMAC-SHA1 default, or HMAC-SHA256); each request is signed (RFC 5849).
   */
  record OAuth1(Map<String, HeaderTemplate> templates, String signatureMethod) {
    static final Set<String> KEYS =
        Set.of("consumer_key", "consumer_secret", "token", "token_secret", "signature_method");
  }

  /**
   * The {@code aws} connector re-signs each request with SigV4; region and service come from {@code
   * config.region}/{@code config.service} or from the client's dummy signature.
   */
  record AwsSigning(Optional<String> region, Optional<String> service) {}

  /** The name under which header templates see the OAuth2 access token. */
  static final String ACCESS_TOKEN = "access_token";

  /** Keys of {@code config:} this connector reads; the broker core's are in ServiceConfig. */
  static final Set<String> KNOWN_KEYS =
      Set.of(
          "headers",
          "queryParams",
          "forceSSL",
          "upstream",
          "caBundle",
          "forwardUnmatchedRequests",
          "oauth1",
          "region",
          "service",
          "responseTimeout");

  String name() {
    return service.name();
  }

  /**
   * Whether an upstream answer with {@code status} may mean the credentials were refused: 401, and
   * for the {@code aws} connector 403 too (AWS answers an unknown, rotated or expired key with 403;
   * the body that says so is not read, so a plain AccessDenied counts as well).
   */
  boolean refusesCredentialsWith(int status) {
    return status == 401 || status == 403 && aws.isPresent();
  }

  /** Whether this route serves {@code url} (an absolute URL as the client sent it). */
  boolean matches(String url) {
    if (urlPatterns.isEmpty()) {
      return true;
    }
    for (Pattern p : urlPatterns) {
      if (p.matcher(url).find()) {
        return true;
      }
    }
    return false;
  }

  boolean isReverse() {
    return upstream.isPresent();
  }

  /**
   * Compiles a service, collecting every problem with its position into {@code errors}; returns
   * empty when there was any.
   */
  static Optional<HttpRoute> compile(
      ServiceConfig service, HttpConnector connector, List<ConfigError> errors) {
    Map<String, String> defaultHeaders = connector.defaultHeaders();
    Set<String> requiredCredentials = connector.requiredCredentials();
    int before = errors.size();
    ConfigTree config = service.config();
    for (String key : config.keys()) {
      if (!KNOWN_KEYS.contains(key) && !ServiceConfig.BROKER_CONFIG_KEYS.contains(key)) {
        errors.add(
            new ConfigError(
                config.position(key),
                "service " + service.name() + ": unknown key '" + key + "' (known: " + known()));
      }
    }
    for (String required : requiredCredentials) {
      if (!service.credentials().containsKey(required)) {
        errors.add(
            new ConfigError(
                service.position(),
                "service "
                    + service.name()
                    + ": connector "
                    + service.connector()
                    + " needs the credential '"
                    + required
                    + "'"));
      }
    }
    boolean hasToken = !service.authentication().isEmpty();
    try {
      Map<String, HeaderTemplate> headers = new LinkedHashMap<>();
      defaultHeaders.forEach((k, v) -> headers.put(k, HeaderTemplate.compile(v)));
      templates(service, "headers", hasToken, headers, errors);
      Map<String, HeaderTemplate> query = new LinkedHashMap<>();
      templates(service, "queryParams", hasToken, query, errors);
      List<Pattern> patterns = patterns(service, errors);
      Optional<URI> upstream = upstream(service, errors);
      Optional<AwsSigning> aws =
          connector.signsAws()
              ? Optional.of(new AwsSigning(config.string("region"), config.string("service")))
              : Optional.empty();
      // AWS APIs are https only: the aws connector always sends requests upstream over TLS.
      boolean forceSsl = config.bool("forceSSL", aws.isPresent());
      boolean forwardUnmatched = config.bool("forwardUnmatchedRequests", false);
      Optional<String> ca = config.string("caBundle");
      boolean usesToken =
          headers.values().stream().anyMatch(t -> t.references().contains(ACCESS_TOKEN))
              || query.values().stream().anyMatch(t -> t.references().contains(ACCESS_TOKEN));
      Optional<OAuth1> oauth1 = oauth1(service, hasToken, errors);
      Duration responseTimeout = responseTimeout(service, errors);
      if (errors.size() > before) {
        return Optional.empty();
      }
      return Optional.of(
          new HttpRoute(
              service,
              patterns,
              Map.copyOf(headers),
              Map.copyOf(query),
              forceSsl,
              upstream,
              ca,
              forwardUnmatched,
              usesToken,
              aws,
              oauth1,
              responseTimeout));
    } catch (ConfigException e) {
      e.errors()
          .forEach(
              err ->
                  errors.add(
                      new ConfigError(
                          err.position(), "service " + service.name() + ": " + err.message())));
      return Optional.empty();
    }
  }

  private static Duration responseTimeout(ServiceConfig service, List<ConfigError> errors) {
    Duration d = service.config().duration("responseTimeout").orElse(DEFAULT_RESPONSE_TIMEOUT);
    if (d.isNegative() || d.isZero()) {
      errors.add(
          new ConfigError(
              service.config().position("responseTimeout"),
              "service "
                  + service.name()
                  + ": responseTimeout must be longer than zero, e.g. 30s or 2m"));
    }
    return d;
  }

  private static Optional<OAuth1> oauth1(
      ServiceConfig service, boolean hasToken, List<ConfigError> errors) {
    Optional<ConfigTree> tree = service.config().tree("oauth1");
    if (tree.isEmpty()) {
      return Optional.empty();
    }
    ConfigTree t = tree.get();
    for (String key : t.keys()) {
      if (!OAuth1.KEYS.contains(key)) {
        errors.add(
            new ConfigError(
                t.position(key),
                "service "
                    + service.name()
                    + ": unknown oauth1 key '"
                    + key
                    + "' (known: consumer_key, consumer_secret, token, token_secret,"
                    + " signature_method)"));
      }
    }
    for (String required : List.of("consumer_key", "consumer_secret")) {
      if (!t.has(required)) {
        errors.add(
            new ConfigError(
                t.position(), "service " + service.name() + ": oauth1 needs " + required));
      }
    }
    String method = t.string("signature_method").orElse("HMAC-SHA1");
    if (!method.equals("HMAC-SHA1") && !method.equals("HMAC-SHA256")) {
      errors.add(
          new ConfigError(
              t.position("signature_method"),
              "service "
                  + service.name()
                  + ": oauth1 signature_method must be HMAC-SHA1 or HMAC-SHA256, got "
                  + method));
    }
    Map<String, HeaderTemplate> out = new LinkedHashMap<>();
    templates(service, "oauth1", hasToken, out, errors);
    out.remove("signature_method");
    return Optional.of(new OAuth1(Map.copyOf(out), method));
  }

  private static String known() {
    return String.join(", ", KNOWN_KEYS.stream().sorted().toList()) + ")";
  }

  private static void templates(
      ServiceConfig service,
      String key,
      boolean hasToken,
      Map<String, HeaderTemplate> out,
      List<ConfigError> errors) {
    Optional<ConfigTree> tree = service.config().tree(key);
    if (tree.isEmpty()) {
      return;
    }
    for (Map.Entry<String, String> e : service.config().stringMap(key).entrySet()) {
      var where = tree.get().position(e.getKey());
      try {
        HeaderTemplate t = HeaderTemplate.compile(e.getValue());
        for (String ref : t.references()) {
          boolean known =
              service.credentials().containsKey(ref) || (hasToken && ref.equals(ACCESS_TOKEN));
          if (!known) {
            errors.add(
                new ConfigError(
                    where,
                    "service "
                        + service.name()
                        + ": "
                        + key
                        + "."
                        + e.getKey()
                        + " uses '."
                        + ref
                        + "' but the service has no such credential"
                        + (ref.equals(ACCESS_TOKEN) ? " (add an authentication: oauth2 block)" : "")
                        + "; known: "
                        + knownNames(service, hasToken)));
          }
        }
        out.put(e.getKey(), t);
      } catch (HeaderTemplate.TemplateSyntaxException ex) {
        errors.add(
            new ConfigError(
                where,
                "service "
                    + service.name()
                    + ": "
                    + key
                    + "."
                    + e.getKey()
                    + ": "
                    + ex.getMessage()));
      }
    }
  }

  private static String knownNames(ServiceConfig service, boolean hasToken) {
    List<String> names = new ArrayList<>(service.credentials().keySet());
    if (hasToken) {
      names.add(ACCESS_TOKEN);
    }
    return names.isEmpty() ? "(none)" : String.join(", ", names);
  }

  private static List<Pattern> patterns(ServiceConfig service, List<ConfigError> errors) {
    List<Pattern> out = new ArrayList<>();
    for (String regex : service.config().strings("authenticateURLsMatching")) {
      try {
        out.add(Pattern.compile(regex));
      } catch (PatternSyntaxException e) {
        errors.add(
            new ConfigError(
                service.config().position("authenticateURLsMatching"),
                "service "
                    + service.name()
                    + ": authenticateURLsMatching '"
                    + regex
                    + "' is not a valid regular expression: "
                    + e.getDescription()));
      }
    }
    return List.copyOf(out);
  }

  private static Optional<URI> upstream(ServiceConfig service, List<ConfigError> errors) {
    Optional<String> text = service.config().string("upstream");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(text.get());
      String scheme = uri.getScheme();
      if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        throw new java.net.URISyntaxException(text.get(), "needs http:// or https:// and a host");
      }
      return Optional.of(uri);
    } catch (java.net.URISyntaxException e) {
      errors.add(
          new ConfigError(
              service.config().position("upstream"),
              "service "
                  + service.name()
                  + ": upstream '"
                  + text.get()
                  + "' is not a URL like https://api.example.com: "
                  + e.getReason()));
      return Optional.empty();
    }
  }
}
