package io.secretless.http;

import io.netty.buffer.ByteBuf;

/**
 * The head of one upstream response, parsed just enough to relay it as bytes: the status code, the
 * HTTP version, where each header line lies, and the framing headers (Content-Length,
 * Transfer-Encoding, Connection). Header values are never turned into strings. One instance per
 * upstream connection is reused for every response; it is valid only while the response's head is
 * being handled.
 */
final class ResponseHead {
  enum Kind {
    OTHER,
    CONNECTION,
    KEEP_ALIVE,
    CONTENT_LENGTH,
    TRANSFER_ENCODING
  }

  private static final byte[] CONNECTION = HeadBytes.ascii("connection");
  private static final byte[] KEEP_ALIVE = HeadBytes.ascii("keep-alive");
  private static final byte[] CONTENT_LENGTH = HeadBytes.ascii("content-length");
  private static final byte[] TRANSFER_ENCODING = HeadBytes.ascii("transfer-encoding");
  private static final byte[] CLOSE = HeadBytes.ascii("close");
  private static final byte[] CHUNKED = HeadBytes.ascii("chunked");

  /** The head's bytes (folded header lines joined with spaces), from offset 0. */
  byte[] bytes = new byte[512];

  private int length;
  private int status;
  private boolean http11;

  /** Offset just after the version in the status line (at the space before the code). */
  private int statusRest;

  private int statusLineEnd;
  private int headers;
  private int[] lineStart = new int[16];
  private int[] lineEnd = new int[16];
  private int[] valueStart = new int[16];
  private Kind[] kinds = new Kind[16];
  private long contentLength;
  private boolean chunked;
  private boolean transferEncoding;
  private boolean connectionClose;
  private boolean connectionKeepAlive;

  /**
   * Parses the head in {@code buf} from {@code start} to {@code end} (just past its empty line).
   *
   * @return false when it is not a well-formed HTTP/1.x response head
   */
  boolean parse(ByteBuf buf, int start, int end) {
    length = end - start;
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, bytes.length * 2)];
    }
    buf.getBytes(start, bytes, 0, length);
    headers = 0;
    contentLength = -1;
    chunked = transferEncoding = connectionClose = connectionKeepAlive = false;
    int eol = eol(0);
    if (!statusLine(eol)) {
      return false;
    }
    int pos = next(eol);
    while (pos < length) {
      int le = eol(pos);
      if (le == pos) {
        return true; // the empty line
      }
      byte first = bytes[pos];
      if (first == ' ' || first == '\t') {
        if (headers == 0) {
          return false;
        }
        for (int i = lineEnd[headers - 1]; i < pos; i++) {
          bytes[i] = ' '; // obs-fold: the line break becomes a space (RFC 9112 section 5.2)
        }
        lineEnd[headers - 1] = le;
      } else if (!header(pos, le)) {
        return false;
      }
      pos = next(le);
    }
    return false;
  }

  private boolean statusLine(int eol) {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (eol < 12
        || bytes[0] != 'H'
        || bytes[1] != 'T'
        || bytes[2] != 'T'
        || bytes[3] != 'P'
        || bytes[4] != '/'
        || bytes[5] != '1'
        || bytes[6] != '.'
        || (bytes[7] != '0' && bytes[7] != '1')
        || bytes[8] != ' ') {
      return false;
    }
    http11 = bytes[7] == '1';
    int code = 0;
    for (int i = 9; i < 12; i++) {
      byte b = bytes[i];
      if (b < '0' || b > '9') {
        return false;
      }
      code = code * 10 + (b - '0');
    }
    if (eol > 12 && bytes[12] != ' ') {
      return false;
    }
    status = code;
    statusRest = 8;
    statusLineEnd = eol;
    return true;
  }

  private boolean header(int start, int end) {
    int colon = -1;
    for (int i = start; i < end; i++) {
      if (bytes[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon <= start) {
      return false;
    }
    int nameEnd = colon;
    while (nameEnd > start && (bytes[nameEnd - 1] == ' ' || bytes[nameEnd - 1] == '\t')) {
      nameEnd--;
    }
    if (headers == lineStart.length) {
      int n = headers * 2;
      lineStart = java.util.Arrays.copyOf(lineStart, n);
      lineEnd = java.util.Arrays.copyOf(lineEnd, n);
      valueStart = java.util.Arrays.copyOf(valueStart, n);
      kinds = java.util.Arrays.copyOf(kinds, n);
    }
    Kind kind = kind(start, nameEnd);
    int vs = colon + 1;
    lineStart[headers] = start;
    lineEnd[headers] = end;
    valueStart[headers] = vs;
    kinds[headers] = kind;
    headers++;
    return switch (kind) {
      case CONTENT_LENGTH -> contentLength(vs, end);
      case TRANSFER_ENCODING -> {
        transferEncoding = true;
        chunked = lastTokenIs(vs, end, CHUNKED);
        yield true;
      }
      case CONNECTION -> {
        connectionClose |= hasToken(vs, end, CLOSE);
        connectionKeepAlive |= hasToken(vs, end, KEEP_ALIVE);
        yield true;
      }
      default -> true;
    };
  }

  private Kind kind(int start, int end) {
    int n = end - start;
    if (n == CONNECTION.length && nameIs(start, CONNECTION)) {
      return Kind.CONNECTION;
    }
    if (n == KEEP_ALIVE.length && nameIs(start, KEEP_ALIVE)) {
      return Kind.KEEP_ALIVE;
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

  /** One Content-Length of digits only; a second one, even equal, is refused (as Netty does). */
  private boolean contentLength(int start, int end) {
    if (contentLength >= 0) {
      return false;
    }
    contentLength = HeadBytes.contentLength(bytes, start, end);
    return contentLength >= 0;
  }

  private boolean lastTokenIs(int start, int end, byte[] lower) {
    int e = trimEnd(start, end);
    int s = e;
    while (s > start && bytes[s - 1] != ',') {
      s--;
    }
    s = skipSpace(s, e);
    return e - s == lower.length && nameIs(s, lower);
  }

  private boolean hasToken(int start, int end, byte[] lower) {
    int s = start;
    while (s < end) {
      int comma = s;
      while (comma < end && bytes[comma] != ',') {
        comma++;
      }
      int ts = skipSpace(s, comma);
      int te = trimEnd(ts, comma);
      if (te - ts == lower.length && nameIs(ts, lower)) {
        return true;
      }
      s = comma + 1;
    }
    return false;
  }

  private int skipSpace(int s, int end) {
    return HeadBytes.skipSpace(bytes, s, end);
  }

  private int trimEnd(int s, int e) {
    return HeadBytes.trimEnd(bytes, s, e);
  }

  /** End of the line starting at {@code pos}, without its CR LF (or bare LF). */
  private int eol(int pos) {
    int i = pos;
    while (i < length && bytes[i] != '\n') {
      i++;
    }
    return i > pos && bytes[i - 1] == '\r' ? i - 1 : i;
  }

  /** Start of the line after the one ending (before CR LF) at {@code le}. */
  private int next(int le) {
    int i = le;
    if (i < length && bytes[i] == '\r') {
      i++;
    }
    return i + 1;
  }

  int status() {
    return status;
  }

  boolean http11() {
    return http11;
  }

  /** The whole head as received (for informational responses relayed unchanged). */
  int length() {
    return length;
  }

  int statusRest() {
    return statusRest;
  }

  int statusLineEnd() {
    return statusLineEnd;
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

  /** End of header {@code i}'s line(s), before the final CR LF. */
  int lineEnd(int i) {
    return lineEnd[i];
  }

  int valueStart(int i) {
    return valueStart[i];
  }

  /** Content-Length, or -1 when absent. */
  long contentLength() {
    return contentLength;
  }

  /** Transfer-Encoding ends with chunked. */
  boolean chunked() {
    return chunked;
  }

  /** Transfer-Encoding is present (without chunked last, the body runs until the close). */
  boolean transferEncoding() {
    return transferEncoding;
  }

  /** Whether the upstream keeps the connection open after this response (RFC 9112 9.3). */
  boolean keepAlive() {
    return !connectionClose && (http11 || connectionKeepAlive);
  }
}
