package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Turns an upstream response head into the client's, as bytes: the header lines are copied as they
 * came except the hop-by-hop ones (Connection, Keep-Alive) and any whose value repeats a secret or
 * an injected header value; the version and the framing are fixed for the client's HTTP version and
 * keep-alive.
 */
final class ResponseHeads {
  private static final short CRLF = ('\r' << 8) | '\n';
  private static final byte[] CHUNKED = ascii("transfer-encoding: chunked\r\n");
  private static final byte[] CLOSE = ascii("connection: close\r\n");
  private static final byte[] KEEP_ALIVE = ascii("connection: keep-alive\r\n");
  private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
  private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");

  private ResponseHeads() {}

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * The client's head for {@code h}; sets {@code ex.rechunk} when the body has no framing and an
   * HTTP/1.1 client gets it chunked, and turns off the client's keep-alive when an HTTP/1.0 client
   * can only learn the end of the body by the close.
   */
  static ByteBuf toClient(ResponseHead h, Exchange ex, ByteBufAllocator alloc) {
    return toClient(h, ex, alloc, 0);
  }

  /** As {@link #toClient(ResponseHead, Exchange, ByteBufAllocator)}, with room for a small body. */
  static ByteBuf toClient(ResponseHead h, Exchange ex, ByteBufAllocator alloc, int smallBody) {
    byte[] b = h.bytes;
    int code = h.status();
    boolean noBody = (code >= 100 && code < 200) || code == 204 || code == 304 || ex.headRequest;
    boolean framed = h.chunked() || (!h.transferEncoding() && h.contentLength() >= 0);
    boolean http11 = ex.clientVersion.equals(HttpVersion.HTTP_1_1);
    ex.rechunk = false;
    if (!noBody && !framed) {
      if (http11) {
        ex.rechunk = true;
      } else {
        ex.clientKeepAlive = false; // an HTTP/1.0 client learns the end by the close
      }
    }
    boolean dropLength = h.transferEncoding() || ex.rechunk;
    // One scan of the whole head; header by header only when a secret shows up somewhere.
    boolean strip = ex.creds.hasNeedles() && ex.creds.echoes(b, h.statusLineEnd(), h.length());
    long length = h.contentLength();
    int room = length > 0 && length <= smallBody && !ex.headRequest ? (int) length : 0;
    ByteBuf out = alloc.buffer(h.length() + 32 + room);
    if (http11) {
      out.writeBytes(HTTP_1_1);
    } else if (ex.clientVersion.equals(HttpVersion.HTTP_1_0)) {
      out.writeBytes(HTTP_1_0);
    } else {
      ByteBufUtil.writeAscii(out, ex.clientVersion.text());
    }
    out.writeBytes(b, h.statusRest(), h.statusLineEnd() - h.statusRest());
    out.writeShort(CRLF);
    for (int i = 0; i < h.headerCount(); i++) {
      ResponseHead.Kind kind = h.kind(i);
      if (kind == ResponseHead.Kind.CONNECTION
          || kind == ResponseHead.Kind.KEEP_ALIVE
          || (kind == ResponseHead.Kind.CONTENT_LENGTH && dropLength)
          || (strip && ex.creds.echoes(b, h.valueStart(i), h.lineEnd(i)))) {
        continue;
      }
      out.writeBytes(b, h.lineStart(i), h.lineEnd(i) - h.lineStart(i));
      out.writeShort(CRLF);
    }
    if (ex.rechunk) {
      out.writeBytes(CHUNKED);
    }
    if (ex.clientVersion.isKeepAliveDefault()) {
      if (!ex.clientKeepAlive) {
        out.writeBytes(CLOSE);
      }
    } else if (ex.clientKeepAlive) {
      out.writeBytes(KEEP_ALIVE);
    }
    out.writeShort(CRLF);
    return out;
  }

  /** An informational (1xx) head, relayed as it came. */
  static ByteBuf informational(ResponseHead h, ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(h.length());
    out.writeBytes(h.bytes, 0, h.length());
    return out;
  }

  /**
   * A chunked response's trailer section without the lines whose value repeats a secret or an
   * injected header value (as response headers are treated); takes ownership of {@code in}.
   */
  static ByteBuf trailers(ByteBuf in, RouteCredentials creds) {
    if (!creds.hasNeedles()) {
      return in;
    }
    byte[] b = ByteBufUtil.getBytes(in);
    if (!creds.echoes(b, 0, b.length)) {
      return in;
    }
    ByteBuf out = in.alloc().heapBuffer(b.length);
    int start = 0;
    while (start < b.length) {
      int lf = start;
      while (lf < b.length && b[lf] != '\n') {
        lf++;
      }
      int end = Math.min(lf + 1, b.length);
      int colon = start;
      while (colon < lf && b[colon] != ':') {
        colon++;
      }
      if (colon == lf || !creds.echoes(b, colon + 1, lf)) {
        out.writeBytes(b, start, end - start);
      }
      start = end;
    }
    in.release();
    return out;
  }
}
