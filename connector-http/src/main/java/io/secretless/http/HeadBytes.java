package io.secretless.http;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level pieces shared by the request and response head parsers: ASCII names compared without
 * case, optional whitespace (SP and HTAB, RFC 9110 section 5.6.3) and Content-Length digits.
 */
final class HeadBytes {
  private HeadBytes() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether {@code bytes} at {@code start} spell {@code lower} (lower-case ASCII), in any case. */
  static boolean nameIs(byte[] bytes, int start, byte[] lower) {
    for (int i = 0; i < lower.length; i++) {
      byte b = bytes[start + i];
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[i]) {
        return false;
      }
    }
    return true;
  }

  /** The first index from {@code s} that is not SP or HTAB, at most {@code end}. */
  static int skipSpace(byte[] bytes, int s, int end) {
    while (s < end && (bytes[s] == ' ' || bytes[s] == '\t')) {
      s++;
    }
    return s;
  }

  /** {@code e} moved back over trailing SP and HTAB, at least {@code s}. */
  static int trimEnd(byte[] bytes, int s, int e) {
    while (e > s && (bytes[e - 1] == ' ' || bytes[e - 1] == '\t')) {
      e--;
    }
    return e;
  }

  /**
   * A Content-Length value: 1 to 18 decimal digits between optional whitespace.
   *
   * @return the number, or -1 when the value is anything else
   */
  static long contentLength(byte[] bytes, int start, int end) {
    int s = skipSpace(bytes, start, end);
    int e = trimEnd(bytes, s, end);
    if (s == e || e - s > 18) {
      return -1;
    }
    long n = 0;
    for (int i = s; i < e; i++) {
      byte b = bytes[i];
      if (b < '0' || b > '9') {
        return -1;
      }
      n = n * 10 + (b - '0');
    }
    return n;
  }
}
