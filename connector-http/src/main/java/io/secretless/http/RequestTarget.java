package io.secretless.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where one request goes: the service that matched (null when an unmatched request is forwarded
 * without credentials by explicit opt-in), the upstream address, and the origin-form target.
 *
 * @param hostValue {@code hostHeader} as the Host header value (bytes ready for the encoder; one
 *     per reverse-proxy route, not per request)
 */
record RequestTarget(
    BoundRoute route,
    String host,
    int port,
    boolean tls,
    String originUri,
    String hostHeader,
    UpstreamPool.Key key,
    AsciiString hostValue) {

  RequestTarget(
      BoundRoute route,
      String host,
      int port,
      boolean tls,
      String originUri,
      String hostHeader,
      UpstreamPool.Key key) {
    this(route, host, port, tls, originUri, hostHeader, key, new AsciiString(hostHeader));
  }

  /** The request is refused with {@code status}; the message is shown to the client. */
  static final class Rejected extends RuntimeException {
    final HttpResponseStatus status;

    Rejected(HttpResponseStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** Picks the service for a request target as sent by the client ({@code uri}). */
  static RequestTarget resolve(String uri, HttpBoundConnector listener) {
    if (uri.startsWith("/")) {
      return reverse(uri, listener);
    }
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      throw new Rejected(
          HttpResponseStatus.BAD_REQUEST, "malformed request target: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
      throw new Rejected(
          HttpResponseStatus.BAD_REQUEST,
          "the request target must be an absolute http:// URL (forward proxy) or a path (reverse"
              + " proxy)");
    }
    for (BoundRoute r : listener.routes()) {
      if (!r.route().isReverse() && r.route().matches(uri)) {
        return forward(u, scheme, r, r.route().forceSsl(), listener);
      }
    }
    if (listener.forwardUnmatched()) {
      return forward(u, scheme, null, false, listener);
    }
    throw new Rejected(
        HttpResponseStatus.FORBIDDEN,
        "no service on this listener is configured for "
            + scheme
            + "://"
            + u.getRawAuthority()
            + u.getRawPath()
            + ": refusing to forward it (the broker is not an open relay). Add the URL to a"
            + " service's authenticateURLsMatching, or set forwardUnmatchedRequests: true to"
            + " forward such requests without credentials");
  }

  private static RequestTarget forward(
      URI u, String scheme, BoundRoute route, boolean forceSsl, HttpBoundConnector listener) {
    boolean tls = forceSsl || scheme.equals("https");
    int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    String origin = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    String host = bare(u.getHost());
    var key =
        new UpstreamPool.Key(
            host, port, tls ? (route == null ? listener.defaultTls() : route.tls()) : null);
    return new RequestTarget(route, host, port, tls, origin, u.getRawAuthority(), key);
  }

  private static RequestTarget reverse(String uri, HttpBoundConnector listener) {
    for (BoundRoute r : listener.routes()) {
      RequestTarget base = r.reverseBase();
      if (base == null) {
        continue;
      }
      String origin = base.originUri.isEmpty() ? uri : base.originUri + uri;
      if (!r.route().urlPatterns().isEmpty()
          && !r.route().matches((base.tls ? "https://" : "http://") + base.hostHeader + origin)) {
        continue;
      }
      return new RequestTarget(
          r, base.host, base.port, base.tls, origin, base.hostHeader, base.key, base.hostValue);
    }
    throw new Rejected(
        HttpResponseStatus.FORBIDDEN,
        "no service on this listener takes requests for "
            + uri.split("\\?", 2)[0]
            + ": to use the broker as a forward proxy set HTTP_PROXY to this listener (absolute"
            + " http:// URLs); for a reverse proxy set config.upstream on the service");
  }

  /**
   * For a reverse-proxy route, the fixed part of every target: upstream address, TLS, Host header,
   * and as {@code originUri} the upstream's base path without its trailing slash.
   */
  static RequestTarget reverseBase(URI up, io.netty.handler.ssl.SslContext tlsContext) {
    boolean tls = "https".equalsIgnoreCase(up.getScheme());
    int port = up.getPort() > 0 ? up.getPort() : tls ? 443 : 80;
    String base = up.getRawPath() == null ? "" : up.getRawPath();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String host = bare(up.getHost());
    return new RequestTarget(
        null,
        host,
        port,
        tls,
        base,
        up.getRawAuthority(),
        new UpstreamPool.Key(host, port, tls ? tlsContext : null));
  }

  /** [::1] to ::1, for connecting. */
  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
