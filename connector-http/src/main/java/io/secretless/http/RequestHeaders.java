package io.secretless.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.secretless.credentials.oauth2.OAuth2Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
   * The upstream request head as bytes: the request line with the origin-form target and the
   * service's query parameters, the client's header lines as they came except hop-by-hop and {@code
   * Proxy-*} ones (the client's proxy credentials never travel on), Host where the broker sets it,
   * and those the service replaces; then the service's headers.
   *
   * @param payloadHash for AWS-signing routes, the body's hex SHA-256 (else ignored)
   * @param formBody for OAuth1 routes, a form body whose parameters are signed, or null
   * @throws RequestTarget.Rejected when an AWS request cannot be signed
   */
  static byte[] toUpstream(
      RequestHead head,
      RequestTarget target,
      RouteCredentials creds,
      OAuth2Token token,
      String payloadHash,
      String formBody) {
    BoundRoute route = target.route();
    if (route != null && (route.route().aws().isPresent() || route.route().oauth1().isPresent())) {
      HttpRequest r = head.toHttpRequest();
      rewrite(r, target, creds, token, payloadHash, formBody);
      return encode(r);
    }
    String uri = target.originUri();
    if (route != null) {
      creds.render(route.route(), token);
      uri = creds.withQuery(uri);
    }
    byte[] b = head.bytes;
    Bytes out = new Bytes(head.bytes.length + uri.length() + 128);
    out.ascii(head.method()).put((byte) ' ').ascii(uri).put(HTTP_1_1_CRLF);
    boolean setHost =
        (route == null || route.route().isReverse() || !head.hasHost())
            && (route == null || !creds.setsHeader(HOST, 0, HOST.length));
    for (int i = 0; i < head.headerCount(); i++) {
      RequestHead.Kind kind = head.kind(i);
      if (kind == RequestHead.Kind.HOP_BY_HOP
          || (kind == RequestHead.Kind.HOST && setHost)
          || (route != null && creds.setsHeader(b, head.lineStart(i), head.nameEnd(i)))) {
        continue;
      }
      out.put(b, head.lineStart(i), head.lineEnd(i) - head.lineStart(i)).put(CRLF);
    }
    if (setHost) {
      out.put(HOST_COLON).ascii(target.hostHeader()).put(CRLF);
    }
    if (route != null) {
      out.put(creds.headerLines());
    }
    return out.put(CRLF).toArray();
  }

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HOST = {'h', 'o', 's', 't'};
  private static final byte[] HOST_COLON = "Host: ".getBytes(StandardCharsets.US_ASCII);

  /** A request rewritten by the signers, as bytes (headers in their map's order). */
  private static byte[] encode(HttpRequest r) {
    Bytes out = new Bytes(512);
    out.ascii(r.method().name()).put((byte) ' ').ascii(r.uri()).put(HTTP_1_1_CRLF);
    for (Map.Entry<String, String> e : r.headers()) {
      out.ascii(e.getKey()).put((byte) ':').put((byte) ' ').ascii(e.getValue()).put(CRLF);
    }
    return out.put(CRLF).toArray();
  }

  /** A growing byte array; text is written as ISO-8859-1 (the bytes it was read from). */
  private static final class Bytes {
    private byte[] a;
    private int n;

    Bytes(int capacity) {
      a = new byte[capacity];
    }

    private void room(int more) {
      if (n + more > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
      }
    }

    Bytes put(byte b) {
      room(1);
      a[n++] = b;
      return this;
    }

    Bytes put(byte[] b) {
      return put(b, 0, b.length);
    }

    Bytes put(byte[] b, int off, int len) {
      room(len);
      System.arraycopy(b, off, a, n, len);
      n += len;
      return this;
    }

    Bytes ascii(String s) {
      int len = s.length();
      room(len);
      s.getBytes(0, len, a, n); // ISO-8859-1: the target and values were read as such
      n += len;
      return this;
    }

    byte[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }

  /** Rewrites a request as a Netty object (the signers' path; see {@link #toUpstream}). */
  static void rewrite(
      HttpRequest r,
      RequestTarget target,
      RouteCredentials creds,
      OAuth2Token token,
      String payloadHash,
      String formBody) {
    HttpHeaders h = r.headers();
    BoundRoute route = target.route();
    boolean aws = route != null && route.route().aws().isPresent();
    // Read before the service's headers replace it: the AWS signer needs the client's signature.
    String clientAuthorization = aws ? h.get(HttpHeaderNames.AUTHORIZATION) : null;
    boolean hasHost = removeHopByHop(h);
    r.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (route == null) {
      r.setUri(target.originUri());
      h.set(HttpHeaderNames.HOST, target.hostValue());
      return;
    }
    creds.render(route.route(), token);
    r.setUri(creds.withQuery(target.originUri()));
    if (route.route().isReverse() || !hasHost) {
      h.set(HttpHeaderNames.HOST, target.hostValue());
    }
    creds.setHeaders(h);
    if (route.route().oauth1().isPresent()) {
      String method = route.route().oauth1().get().signatureMethod();
      h.set(HttpHeaderNames.AUTHORIZATION, oauth1(r, target, creds.oauth1Keys(method), formBody));
    }
    if (aws) {
      AwsRequestSigner.sign(r, route.route(), creds, payloadHash, clientAuthorization);
    }
  }

  /**
   * Removes Connection, the headers it names, Keep-Alive, Upgrade and every {@code Proxy-*} header,
   * in one look at the names (most requests have none of them).
   *
   * @return whether the request has a Host header
   */
  private static boolean removeHopByHop(HttpHeaders h) {
    boolean hasHost = false;
    boolean connection = false;
    List<CharSequence> remove = null;
    var it = h.iteratorCharSequence();
    while (it.hasNext()) {
      CharSequence name = it.next().getKey();
      int n = name.length();
      if (n == 4) {
        hasHost |= AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST);
      } else if (n == 10 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
        connection = true;
      } else if ((n == 10 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.KEEP_ALIVE))
          || (n == 7 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE))
          || (n >= 6 && AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6))) {
        if (remove == null) {
          remove = new ArrayList<>(2);
        }
        remove.add(name);
      }
    }
    if (remove != null) {
      remove.forEach(h::remove);
    }
    if (connection) {
      for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
        for (String token : value.split(",")) {
          String name = token.trim();
          if (!name.isEmpty()
              && !name.equalsIgnoreCase("close")
              && !name.equalsIgnoreCase("keep-alive")) {
            hasHost &= !name.equalsIgnoreCase("host");
            h.remove(name);
          }
        }
      }
      h.remove(HttpHeaderNames.CONNECTION);
    }
    return hasHost;
  }
}
