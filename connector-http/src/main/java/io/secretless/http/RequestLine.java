package io.secretless.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The request line of a client request (RFC 9112 section 3): {@code method SP request-target SP
 * HTTP-version}, with exactly one space between the parts, the method a token, no control character
 * or space in the target, and HTTP/1.1 or HTTP/1.0.
 *
 * @param target as sent (origin-form path or absolute URL), its bytes as ISO-8859-1 characters
 */
record RequestLine(String method, String target, HttpVersion version) {
  private static final String[] METHODS = {
    "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "CONNECT", "TRACE"
  };

  /** RFC 9110 tchar. */
  private static final boolean[] TOKEN = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = true;
    }
  }

  static boolean isToken(byte b) {
    return TOKEN[b & 0xff];
  }

  /**
   * Parses the request line in {@code bytes[0, eol)}.
   *
   * @throws MalformedRequest when it is not one (400) or names another HTTP version (505)
   */
  static RequestLine parse(byte[] bytes, int eol) {
    int sp1 = 0;
    while (sp1 < eol && isToken(bytes[sp1])) {
      sp1++;
    }
    if (sp1 == 0 || sp1 >= eol || bytes[sp1] != ' ') {
      throw MalformedRequest.bad("the request line must be METHOD SP TARGET SP HTTP/1.1");
    }
    int sp2 = sp1 + 1;
    while (sp2 < eol && bytes[sp2] != ' ') {
      int c = bytes[sp2] & 0xff;
      if (c < 0x21 || c == 0x7f) {
        throw MalformedRequest.bad("control character in the request target");
      }
      sp2++;
    }
    if (sp2 == sp1 + 1 || sp2 >= eol) {
      throw MalformedRequest.bad("the request line must be METHOD SP TARGET SP HTTP/1.1");
    }
    HttpVersion version = version(bytes, sp2 + 1, eol);
    return new RequestLine(
        method(bytes, sp1),
        new String(bytes, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1),
        version);
  }

  private static HttpVersion version(byte[] bytes, int s, int e) {
    if (e - s == 8
        && bytes[s] == 'H'
        && bytes[s + 1] == 'T'
        && bytes[s + 2] == 'T'
        && bytes[s + 3] == 'P'
        && bytes[s + 4] == '/'
        && bytes[s + 6] == '.'
        && Character.isDigit(bytes[s + 5])
        && Character.isDigit(bytes[s + 7])) {
      if (bytes[s + 5] == '1' && bytes[s + 7] == '1') {
        return HttpVersion.HTTP_1_1;
      }
      if (bytes[s + 5] == '1' && bytes[s + 7] == '0') {
        return HttpVersion.HTTP_1_0;
      }
      throw new MalformedRequest(
          HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "HTTP version "
              + new String(bytes, s + 5, 3, StandardCharsets.US_ASCII)
              + " is not supported: the broker speaks HTTP/1.1 and HTTP/1.0");
    }
    throw MalformedRequest.bad("the request line must end with HTTP/1.1 or HTTP/1.0");
  }

  /** The common methods as constants (no string per request). */
  private static String method(byte[] bytes, int end) {
    outer:
    for (String m : METHODS) {
      if (m.length() != end) {
        continue;
      }
      for (int i = 0; i < end; i++) {
        if (bytes[i] != m.charAt(i)) {
          continue outer;
        }
      }
      return m;
    }
    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
  }
}
