package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The head of one client request, parsed from its bytes (RFC 9112): the request line as strings
 * (method, target: routing needs them), header lines as offsets into one copy of the head, and the
 * framing (Content-Length, chunked) and keep-alive. Strict where a proxy must be (request
 * smuggling): CR LF line ends only, header names as tokens with no space before the colon, no
 * control characters in values, no obs-fold, one Content-Length of digits, Transfer-Encoding only
 * ending in a single {@code chunked} and never with Content-Length or in HTTP/1.0, one Host.
 */
final class RequestHead {
  enum Kind {
    OTHER,
    HOST,
    /** Connection, Keep-Alive, Upgrade, {@code Proxy-*} and headers named in Connection. */
    HOP_BY_HOP,
    CONTENT_LENGTH,
    TRANSFER_ENCODING
  }

  private static final byte[] HOST = HeadBytes.ascii("host");
  private static final byte[] CONNECTION = HeadBytes.ascii("connection");
  private static final byte[] KEEP_ALIVE = HeadBytes.ascii("keep-alive");
  private static final byte[] UPGRADE = HeadBytes.ascii("upgrade");
  private static final byte[] PROXY = HeadBytes.ascii("proxy-");
  private static final byte[] CONTENT_LENGTH = HeadBytes.ascii("content-length");
  private static final byte[] TRANSFER_ENCODING = HeadBytes.ascii("transfer-encoding");
  final byte[] bytes;
  private final int length;
  private String method;
  private String target;
  private HttpVersion version;
  private int headers;
  private int[] lineStart = new int[12];
  private int[] nameEnd = new int[12];
  private int[] lineEnd = new int[12];
  private Kind[] kinds = new Kind[12];
  private long contentLength = -1;
  private boolean chunked;
  private boolean keepAlive;
  private boolean hasHost;

  private RequestHead(byte[] bytes, int length) {
    this.bytes = bytes;
    this.length = length;
  }

  /**
   * Parses the head in {@code buf} from {@code start} to {@code end} (just past its empty line).
   *
   * @throws MalformedRequest when it is not a request the broker forwards
   */
  static RequestHead parse(ByteBuf buf, int start, int end) {
    byte[] b = new byte[end - start];
    buf.getBytes(start, b);
    RequestHead h = new RequestHead(b, b.length);
    h.parse();
    return h;
  }

  private void parse() {
    int pos = requestLine();
    boolean connection = false;
    boolean transferEncoding = false;
    while (true) {
      int le = eol(pos);
      if (le == pos) {
        break;
      }
      byte first = bytes[pos];
      if (first == ' ' || first == '\t') {
        throw MalformedRequest.bad("folded header line (obs-fold)");
      }
      Kind kind = header(pos, le);
      connection |= kind == Kind.HOP_BY_HOP && isName(headers - 1, CONNECTION);
      transferEncoding |= kind == Kind.TRANSFER_ENCODING;
      pos = le + 2;
    }
    if (transferEncoding) {
      transferEncoding();
    }
    keepAlive = version == HttpVersion.HTTP_1_1;
    if (connection) {
      connection();
    }
  }

  /** Parses {@code method SP target SP HTTP/1.x CRLF}; returns where the headers start. */
  private int requestLine() {
    int eol = eol(0);
    RequestLine line = RequestLine.parse(bytes, eol);
    method = line.method();
    target = line.target();
    version = line.version();
    return eol + 2;
  }

  private String asString(int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** Parses the header line {@code [start, end)}; returns its kind. */
  private Kind header(int start, int end) {
    int colon = start;
    while (colon < end && RequestLine.isToken(bytes[colon])) {
      colon++;
    }
    if (colon == start || colon == end || bytes[colon] != ':') {
      throw MalformedRequest.bad(
          colon < end && (bytes[colon] == ' ' || bytes[colon] == '\t')
              ? "whitespace between a header name and its colon"
              : "a header line without a valid name and colon");
    }
    for (int i = colon + 1; i < end; i++) {
      int c = bytes[i] & 0xff;
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw MalformedRequest.bad("control character in a header value");
      }
    }
    if (headers == lineStart.length) {
      int n = headers * 2;
      lineStart = Arrays.copyOf(lineStart, n);
      nameEnd = Arrays.copyOf(nameEnd, n);
      lineEnd = Arrays.copyOf(lineEnd, n);
      kinds = Arrays.copyOf(kinds, n);
    }
    Kind kind = kind(start, colon);
    lineStart[headers] = start;
    nameEnd[headers] = colon;
    lineEnd[headers] = end;
    kinds[headers] = kind;
    headers++;
    switch (kind) {
      case HOST -> {
        if (hasHost) {
          throw MalformedRequest.bad("more than one Host header");
        }
        hasHost = true;
      }
      case CONTENT_LENGTH -> contentLength(colon + 1, end);
      default -> {}
    }
    return kind;
  }

  private Kind kind(int start, int end) {
    int n = end - start;
    if (n == 4 && nameIs(start, HOST)) {
      return Kind.HOST;
    }
    if ((n == CONNECTION.length && nameIs(start, CONNECTION))
        || (n == KEEP_ALIVE.length && nameIs(start, KEEP_ALIVE))
        || (n == UPGRADE.length && nameIs(start, UPGRADE))
        || (n >= PROXY.length && nameIs(start, PROXY))) {
      return Kind.HOP_BY_HOP;
    }
    if (n == CONTENT_LENGTH.length && nameIs(start, CONTENT_LENGTH)) {
      return Kind.CONTENT_LENGTH;
    }
    if (n == TRANSFER_ENCODING.length && nameIs(start, TRANSFER_ENCODING)) {
      return Kind.TRANSFER_ENCODING;
    }
    return Kind.OTHER;
  }

  private boolean nameIs(int start, byte[] lower) {
    return HeadBytes.nameIs(bytes, start, lower);
  }

  private boolean isName(int i, byte[] lower) {
    return nameEnd[i] - lineStart[i] == lower.length && nameIs(lineStart[i], lower);
  }

  /** One Content-Length of 1 to 18 digits; a second one, even equal, is refused (as Netty did). */
  private void contentLength(int start, int end) {
    if (contentLength >= 0) {
      throw MalformedRequest.bad("more than one Content-Length header");
    }
    contentLength = HeadBytes.contentLength(bytes, start, end);
    if (contentLength < 0) {
      throw MalformedRequest.bad("Content-Length must be a number");
    }
  }

  /**
   * Transfer-Encoding (all its lines as one list) must end with {@code chunked}, name it once, and
   * come without Content-Length in an HTTP/1.1 request (RFC 9112 section 6.1: anything else is how
   * requests are smuggled past a proxy).
   */
  private void transferEncoding() {
    if (version != HttpVersion.HTTP_1_1) {
      throw MalformedRequest.bad("Transfer-Encoding in an HTTP/1.0 request");
    }
    if (contentLength >= 0) {
      throw MalformedRequest.bad("both Content-Length and Transfer-Encoding");
    }
    int chunks = 0;
    boolean last = false;
    for (int i = 0; i < headers; i++) {
      if (kinds[i] != Kind.TRANSFER_ENCODING) {
        continue;
      }
      for (String token : asString(nameEnd[i] + 1, lineEnd[i]).split(",", -1)) {
        String t = token.strip();
        if (t.isEmpty()) {
          continue;
        }
        last = t.equalsIgnoreCase("chunked");
        chunks += last ? 1 : 0;
      }
    }
    if (chunks != 1 || !last) {
      throw MalformedRequest.bad("Transfer-Encoding must end with chunked (and name it once)");
    }
    chunked = true;
  }

  /** Connection: close / keep-alive, and the headers it names become hop-by-hop. */
  private void connection() {
    java.util.List<String> named = new java.util.ArrayList<>(2);
    boolean close = false;
    boolean keep = false;
    for (int i = 0; i < headers; i++) {
      if (kinds[i] != Kind.HOP_BY_HOP || !isName(i, CONNECTION)) {
        continue;
      }
      for (String token : asString(nameEnd[i] + 1, lineEnd[i]).split(",")) {
        String t = token.strip().toLowerCase(Locale.ROOT);
        if (t.equals("close")) {
          close = true;
        } else if (t.equals("keep-alive")) {
          keep = true;
        } else if (!t.isEmpty()) {
          named.add(t);
        }
      }
    }
    keepAlive = !close && (version == HttpVersion.HTTP_1_1 || keep);
    for (String t : named) {
      byte[] name = HeadBytes.ascii(t);
      for (int i = 0; i < headers; i++) {
        // The framing headers stay: the body is forwarded as it came.
        if ((kinds[i] == Kind.OTHER || kinds[i] == Kind.HOST) && isName(i, name)) {
          hasHost &= kinds[i] != Kind.HOST;
          kinds[i] = Kind.HOP_BY_HOP;
        }
      }
    }
  }

  private int skipSpace(int s, int end) {
    return HeadBytes.skipSpace(bytes, s, end);
  }

  private int trimEnd(int s, int e) {
    return HeadBytes.trimEnd(bytes, s, e);
  }

  /** End of the line starting at {@code pos} (at its CR LF); a bare CR or LF is refused. */
  private int eol(int pos) {
    for (int i = pos; i < length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        throw MalformedRequest.bad("a line ending in a bare LF (CR LF required)");
      }
      if (b == '\r') {
        if (i + 1 >= length || bytes[i + 1] != '\n') {
          throw MalformedRequest.bad("a bare CR");
        }
        return i;
      }
    }
    throw MalformedRequest.bad("the head does not end with an empty line");
  }

  String method() {
    return method;
  }

  /** The request target as sent (origin-form path or absolute URL). */
  String target() {
    return target;
  }

  /** HTTP/1.1 or HTTP/1.0. */
  HttpVersion version() {
    return version;
  }

  int headerCount() {
    return headers;
  }

  Kind kind(int i) {
    return kinds[i];
  }

  int lineStart(int i) {
    return lineStart[i];
  }

  int nameEnd(int i) {
    return nameEnd[i];
  }

  /** End of header {@code i}'s line, before its CR LF. */
  int lineEnd(int i) {
    return lineEnd[i];
  }

  /** Content-Length, or -1 when absent. */
  long contentLength() {
    return contentLength;
  }

  boolean chunked() {
    return chunked;
  }

  /** Whether the request has no body (neither chunked nor a Content-Length above 0). */
  boolean bodyless() {
    return !chunked && contentLength <= 0;
  }

  /** Whether the client keeps the connection open after this request (RFC 9112 9.3). */
  boolean keepAlive() {
    return keepAlive;
  }

  /** Whether the request has a Host header that is not named in Connection. */
  boolean hasHost() {
    return hasHost;
  }

  /** The first value of header {@code name} (any case), trimmed, or null. Not for hot paths. */
  String header(String name) {
    byte[] lower = HeadBytes.ascii(name.toLowerCase(Locale.ROOT));
    for (int i = 0; i < headers; i++) {
      if (isName(i, lower)) {
        return value(i);
      }
    }
    return null;
  }

  private String value(int i) {
    int s = skipSpace(nameEnd[i] + 1, lineEnd[i]);
    return asString(s, trimEnd(s, lineEnd[i]));
  }

  /**
   * The request as a Netty object with every header, for the signers (AWS SigV4, OAuth 1.0a) that
   * work on a header map; the hot path never builds it.
   */
  HttpRequest toHttpRequest() {
    HttpRequest r = new DefaultHttpRequest(version, HttpMethod.valueOf(method), target);
    for (int i = 0; i < headers; i++) {
      r.headers().add(asString(lineStart[i], nameEnd[i]), value(i));
    }
    return r;
  }
}
