package io.secretless.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.secretless.credentials.oauth2.OAuth2Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the client's request into the upstream request: origin-form target with the service's query
 * parameters, hop-by-hop and {@code Proxy-*} headers removed (the client's proxy credentials never
 * travel on), the service's headers set.
 */
final class RequestHeaders {
  private RequestHeaders() {}

  static void rewrite(
      HttpRequest r, RequestTarget target, RouteCredentials creds, OAuth2Token token) {
    HttpHeaders h = r.headers();
    String connection = h.get(HttpHeaderNames.CONNECTION);
    if (connection != null) {
      for (String token2 : connection.split(",")) {
        String name = token2.trim();
        if (!name.isEmpty()
            && !name.equalsIgnoreCase("close")
            && !name.equalsIgnoreCase("keep-alive")) {
          h.remove(name);
        }
      }
      h.remove(HttpHeaderNames.CONNECTION);
    }
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    h.remove(HttpHeaderNames.UPGRADE);
    List<String> proxyHeaders = null;
    for (Map.Entry<String, String> e : h) {
      if (e.getKey().regionMatches(true, 0, "proxy-", 0, 6)) {
        if (proxyHeaders == null) {
          proxyHeaders = new ArrayList<>(2);
        }
        proxyHeaders.add(e.getKey());
      }
    }
    if (proxyHeaders != null) {
      proxyHeaders.forEach(h::remove);
    }
    r.setProtocolVersion(HttpVersion.HTTP_1_1);
    BoundRoute route = target.route();
    if (route == null) {
      r.setUri(target.originUri());
      h.set(HttpHeaderNames.HOST, target.hostHeader());
      return;
    }
    creds.render(route.route(), token);
    r.setUri(creds.withQuery(target.originUri()));
    if (route.route().isReverse() || !h.contains(HttpHeaderNames.HOST)) {
      h.set(HttpHeaderNames.HOST, target.hostHeader());
    }
    for (Map.Entry<String, String> e : creds.headers()) {
      h.set(e.getKey(), e.getValue());
    }
  }
}
