package io.secretless.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Decides whether the broker serves a request and for which service: CONNECT is refused (malformed
 * requests never get here: {@link RequestFramer}), the rest are matched by {@link
 * RequestTarget#resolve}.
 */
final class Admission {
  /** A refused request: the error response to give and whether the connection may stay open. */
  static final class Refused extends RuntimeException {
    final HttpResponseStatus status;
    final boolean keepAlive;

    Refused(HttpResponseStatus status, String message, boolean keepAlive) {
      super(message, null, false, false);
      this.status = status;
      this.keepAlive = keepAlive;
    }
  }

  private Admission() {}

  /**
   * @return the request's target
   * @throws Refused when the broker does not serve it
   */
  static RequestTarget admit(RequestHead r, HttpBoundConnector listener) {
    boolean keepAlive = r.keepAlive();
    if (r.method().equals("CONNECT")) {
      throw new Refused(
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          "CONNECT (HTTPS tunnelling) is not supported: the broker must see each request to add"
              + " credentials. Send http:// URLs through the proxy and set forceSSL: true on the"
              + " service to reach the API over https",
          keepAlive);
    }
    try {
      return RequestTarget.resolve(r.target(), listener);
    } catch (RequestTarget.Rejected e) {
      throw new Refused(e.status, e.getMessage(), keepAlive && r.bodyless());
    }
  }
}
