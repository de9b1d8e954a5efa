package io.secretless.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where one request goes: the service that matched (null when an unmatched request is forwarded
 * without credentials by explicit opt-in), the upstream address, and the origin-form target.
 */
record RequestTarget(
    BoundRoute route, String host, int port, boolean tls, String originUri, String hostHeader) {

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
        return forward(u, scheme, r, r.route().forceSsl());
      }
    }
    if (listener.forwardUnmatched()) {
      return forward(u, scheme, null, false);
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

  private static RequestTarget forward(URI u, String scheme, BoundRoute route, boolean forceSsl) {
    boolean tls = forceSsl || scheme.equals("https");
    int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    String origin = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    return new RequestTarget(route, bare(u.getHost()), port, tls, origin, u.getRawAuthority());
  }

  private static RequestTarget reverse(String uri, HttpBoundConnector listener) {
    for (BoundRoute r : listener.routes()) {
      if (r.route().isReverse()) {
        URI up = r.route().upstream().get();
        boolean tls = "https".equalsIgnoreCase(up.getScheme());
        int port = up.getPort() > 0 ? up.getPort() : tls ? 443 : 80;
        String base = up.getRawPath() == null ? "" : up.getRawPath();
        if (base.endsWith("/")) {
          base = base.substring(0, base.length() - 1);
        }
        String origin = base + uri;
        if (!r.route().matches(up.getScheme() + "://" + up.getRawAuthority() + origin)) {
          continue;
        }
        return new RequestTarget(r, bare(up.getHost()), port, tls, origin, up.getRawAuthority());
      }
    }
    throw new Rejected(
        HttpResponseStatus.FORBIDDEN,
        "no service on this listener takes requests for "
            + uri.split("\\?", 2)[0]
            + ": to use the broker as a forward proxy set HTTP_PROXY to this listener (absolute"
            + " http:// URLs); for a reverse proxy set config.upstream on the service");
  }

  /** [::1] to ::1, for connecting. */
  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
