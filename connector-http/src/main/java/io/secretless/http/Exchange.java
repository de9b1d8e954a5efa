package io.secretless.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpVersion;
import io.secretless.credentials.oauth2.OAuth2Token;

/** The request a {@link ProxyHandler} is serving, and how far it has got. Event-loop confined. */
final class Exchange {
  final RequestHead request;
  final RequestTarget target;
  final HttpVersion clientVersion;
  final boolean replayable;
  final boolean headRequest;
  boolean clientKeepAlive;
  RouteCredentials creds;
  OAuth2Token token;
  Channel upstream;
  UpstreamHandler upstreamHandler;
  boolean reused;
  boolean requestDone;
  boolean responseStarted;
  boolean upstreamKeepAlive;
  boolean informational;
  boolean swallowing;
  boolean retried;

  /** The upstream refused the credentials, and the connection's were dropped to fetch anew. */
  boolean renewedCredentials;

  /** The upstream answered 401 to the OAuth2 token: it is dropped before the retry. */
  boolean refusedToken;

  /** The response has no framing and goes to an HTTP/1.1 client chunked by the broker. */
  boolean rechunk;

  String payloadHash;
  byte[] body;

  /** The request head for the upstream (written again when the request is replayed). */
  byte[] upstreamHead;

  Exchange(RequestHead request, RequestTarget target) {
    this(request, target, request.version(), request.keepAlive(), request.method());
  }

  /** For tests of the response side: no request head. */
  Exchange(RequestTarget target, HttpVersion version, boolean keepAlive, String method) {
    this(null, target, version, keepAlive, method);
  }

  private Exchange(
      RequestHead request,
      RequestTarget target,
      HttpVersion version,
      boolean keepAlive,
      String method) {
    this.request = request;
    this.target = target;
    this.clientVersion = version;
    this.clientKeepAlive = keepAlive;
    this.replayable = request == null || request.bodyless();
    this.headRequest = method.equals("HEAD");
  }

  /**
   * The upstream answered {@code status} to this request (its first try): true when that refuses
   * the credentials ({@link HttpRoute#refusesCredentialsWith}). Credentials from a cache are then
   * dropped and renewed for the connection whether or not the request can be replayed, so that at
   * least its next request uses fresh ones. True when the request is to be sent again, once: it is
   * replayable and complete, and a new OAuth2 token (on a 401 only) or renewed credentials may
   * change the answer.
   */
  boolean refused(ConnectionCredentials credentials, int status) {
    BoundRoute route = target.route();
    if (status != 401 && (route == null || !route.route().refusesCredentialsWith(status))) {
      return false;
    }
    renewedCredentials = route != null && credentials.renew(route);
    refusedToken = status == 401 && token != null;
    return (refusedToken || renewedCredentials) && replayable && requestDone;
  }

  /**
   * The kept refusal is read and the request goes again, once: counts the retry under what it
   * renews and drops the refused OAuth2 token.
   */
  void retrying(HttpMetrics metrics) {
    swallowing = false;
    retried = true;
    BoundRoute route = target.route();
    if (refusedToken) {
      metrics.count(route, HttpMetrics.Outcome.TOKEN_RETRY);
      route.tokens().get().invalidate(token);
    }
    if (renewedCredentials) {
      metrics.count(route, HttpMetrics.Outcome.CREDENTIAL_RETRY);
    }
  }

  String service() {
    return target.route() == null ? "(unmatched, forwarded)" : target.route().name();
  }

  /** Whether signing needs the body: AWS without X-Amz-Content-Sha256, OAuth1 with a form. */
  boolean needsWholeBody() {
    BoundRoute route = target.route();
    if (route == null || replayable || body != null) {
      return false;
    }
    return (route.route().aws().isPresent() && request.header("X-Amz-Content-Sha256") == null)
        || (route.route().oauth1().isPresent() && isForm(request));
  }

  /** Sets the AWS payload hash when the route signs with SigV4 and it is not known yet. */
  void hashPayloadForAws() {
    BoundRoute route = target.route();
    if (route != null && route.route().aws().isPresent() && payloadHash == null) {
      String sent = request.header("X-Amz-Content-Sha256");
      payloadHash =
          sent != null ? sent : body == null ? AwsSigV4.EMPTY_SHA256 : AwsSigV4.sha256Hex(body);
    }
  }

  /** For an OAuth1 route and a form request, the form body to sign; else null. */
  String formBodyForOAuth1() {
    BoundRoute route = target.route();
    if (route != null && route.route().oauth1().isPresent() && isForm(request)) {
      return body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
    return null;
  }

  private static boolean isForm(RequestHead r) {
    String type = r.header("Content-Type");
    return type != null && type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33);
  }
}
