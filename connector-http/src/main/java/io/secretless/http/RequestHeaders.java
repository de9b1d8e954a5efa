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
  private static final java.security.SecureRandom NONCES = new java.security.SecureRandom();

  private RequestHeaders() {}

  private static String oauth1(
      HttpRequest r, RequestTarget target, OAuth1Signer.Keys keys, String formBody) {
    String uri = r.uri();
    int q = uri.indexOf('?');
    boolean defaultPort = target.port() == (target.tls() ? 443 : 80);
    String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
    String base =
        (target.tls() ? "https://" : "http://")
            + host.toLowerCase(java.util.Locale.ROOT)
            + (defaultPort ? "" : ":" + target.port())
            + (q < 0 ? uri : uri.substring(0, q));
    byte[] nonce = new byte[16];
    NONCES.nextBytes(nonce);
    return OAuth1Signer.authorization(
        r.method().name(),
        base,
        q < 0 ? null : uri.substring(q + 1),
        formBody,
        keys,
        java.util.HexFormat.of().formatHex(nonce),
        System.currentTimeMillis() / 1000);
  }

  /**
   * @param payloadHash for AWS-signing routes, the body's hex SHA-256 (else ignored)
   * @param formBody for OAuth1 routes, a form body whose parameters are signed, or null
   * @throws RequestTarget.Rejected when an AWS request cannot be signed
   */
  static void rewrite(
      HttpRequest r,
      RequestTarget target,
      RouteCredentials creds,
      OAuth2Token token,
      String payloadHash,
      String formBody) {
    HttpHeaders h = r.headers();
    String clientAuthorization = h.get(HttpHeaderNames.AUTHORIZATION);
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
    List<CharSequence> proxyHeaders = null;
    var it = h.iteratorCharSequence();
    while (it.hasNext()) {
      CharSequence name = it.next().getKey();
      if (io.netty.util.AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6)) {
        if (proxyHeaders == null) {
          proxyHeaders = new ArrayList<>(2);
        }
        proxyHeaders.add(name);
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
    List<Map.Entry<String, String>> headers = creds.headers();
    for (int i = 0; i < headers.size(); i++) {
      h.set(headers.get(i).getKey(), headers.get(i).getValue());
    }
    route
        .route()
        .oauth1()
        .ifPresent(
            o ->
                h.set(
                    HttpHeaderNames.AUTHORIZATION,
                    oauth1(r, target, creds.oauth1Keys(o.signatureMethod()), formBody)));
    if (route.route().aws().isPresent()) {
      AwsRequestSigner.sign(r, route.route(), creds, payloadHash, clientAuthorization);
    }
  }
}
