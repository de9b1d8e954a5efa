package io.secretless.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an upstream response head into the client's: hop-by-hop headers dropped, any header that
 * echoes a secret removed, framing fixed for the client's HTTP version and keep-alive.
 */
final class ResponseHeads {
  private ResponseHeads() {}

  /** Rewrites {@code r} for the client of {@code ex}; may turn off the client's keep-alive. */
  static void toClient(HttpResponse r, Exchange ex) {
    int code = r.status().code();
    HttpHeaders h = r.headers();
    h.remove(HttpHeaderNames.CONNECTION);
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    if (ex.creds.hasNeedles()) {
      stripEchoes(h, ex.creds);
    }
    boolean noBody = code == 204 || code == 304 || ex.request.method().equals(HttpMethod.HEAD);
    if (!noBody && !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r)) {
      if (ex.clientVersion.equals(HttpVersion.HTTP_1_1)) {
        HttpUtil.setTransferEncodingChunked(r, true);
      } else {
        ex.clientKeepAlive = false; // an HTTP/1.0 client learns the end by the close
      }
    }
    r.setProtocolVersion(ex.clientVersion);
    HttpUtil.setKeepAlive(r, ex.clientKeepAlive);
  }

  /** Removes every header whose value contains a credential or an injected header value. */
  private static void stripEchoes(HttpHeaders h, RouteCredentials creds) {
    List<CharSequence> echoed = null;
    var it = h.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      if (creds.echoes(e.getValue())) {
        if (echoed == null) {
          echoed = new ArrayList<>(1);
        }
        echoed.add(e.getKey());
      }
    }
    if (echoed != null) {
      echoed.forEach(h::remove);
    }
  }
}
