package io.secretless.http;

import io.netty.util.AsciiString;
import io.secretless.credentials.Credentials;
import io.secretless.credentials.oauth2.OAuth2Token;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One service's credentials for one client connection, with the header and query values rendered
 * from them (re-rendered only when the OAuth2 token changes), and the strings that must never be
 * echoed back to the client. Lives on the connection's event loop.
 */
final class RouteCredentials implements AutoCloseable {
  private static final int MIN_NEEDLE = 4;

  private final Credentials credentials;
  private final Map<String, String> values = new HashMap<>();
  private OAuth2Token renderedFor;
  private boolean rendered;
  private List<Map.Entry<String, String>> headers = List.of();
  private AsciiString[] headerNames = new AsciiString[0];
  private AsciiString[] headerValues = new AsciiString[0];

  /** The rendered headers' names in lower case, and their lines ("Name: value" CR LF) as bytes. */
  private byte[][] lowerNames = new byte[0][];

  private byte[] headerLines = new byte[0];

  private List<Map.Entry<String, String>> query = List.of();
  private Map<String, String> oauth1 = Map.of();
  private List<String> needles = List.of();
  private byte[][] needleBytes = new byte[0][];

  RouteCredentials(Credentials credentials) {
    this.credentials = credentials;
    if (credentials != null) {
      for (String name : credentials.names()) {
        values.put(name, credentials.get(name).orElseThrow().revealString());
      }
    }
  }

  static RouteCredentials none() {
    return new RouteCredentials(null);
  }

  /** Renders the route's templates for {@code token} (null without OAuth2), cached. */
  void render(HttpRoute route, OAuth2Token token) {
    if (rendered && (token == renderedFor || !route.usesAccessToken())) {
      return;
    }
    if (token != null) {
      values.put(HttpRoute.ACCESS_TOKEN, token.reveal());
    }
    headers = renderAll(route.headers());
    // The same header objects serve every request of this snapshot: no per-request String work,
    // and the encoder copies AsciiString bytes as they are.
    headerNames = new AsciiString[headers.size()];
    headerValues = new AsciiString[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      headerNames[i] = AsciiString.cached(headers.get(i).getKey());
      headerValues[i] = new AsciiString(headers.get(i).getValue());
    }
    lowerNames = new byte[headers.size()][];
    int size = 0;
    for (int i = 0; i < headers.size(); i++) {
      lowerNames[i] = headerNames[i].toLowerCase().toByteArray();
      size += headerNames[i].length() + headerValues[i].length() + 4;
    }
    java.util.Arrays.fill(headerLines, (byte) 0);
    headerLines = new byte[size]; // filled in place: no stray copies of the secret values
    int at = 0;
    for (int i = 0; i < headers.size(); i++) {
      at = put(headerNames[i], at);
      headerLines[at++] = ':';
      headerLines[at++] = ' ';
      at = put(headerValues[i], at);
      headerLines[at++] = '\r';
      headerLines[at++] = '\n';
    }
    query = renderAll(route.queryParams());
    List<String> n = new ArrayList<>();
    if (route.oauth1().isPresent()) {
      Map<String, String> o = new HashMap<>();
      route.oauth1().get().templates().forEach((k, t) -> o.put(k, t.render(values::get)));
      oauth1 = o;
      o.values().stream().filter(v -> v.length() >= MIN_NEEDLE).forEach(n::add);
    }
    values.values().stream().filter(v -> v.length() >= MIN_NEEDLE).forEach(n::add);
    headers.stream().map(Map.Entry::getValue).filter(v -> v.length() >= MIN_NEEDLE).forEach(n::add);
    needles = List.copyOf(n);
    needleBytes = new byte[needles.size()][];
    for (int i = 0; i < needleBytes.length; i++) {
      needleBytes[i] = needles.get(i).getBytes(StandardCharsets.UTF_8);
    }
    renderedFor = token;
    rendered = true;
  }

  private int put(AsciiString s, int at) {
    System.arraycopy(s.array(), s.arrayOffset(), headerLines, at, s.length());
    return at + s.length();
  }

  private List<Map.Entry<String, String>> renderAll(Map<String, HeaderTemplate> templates) {
    List<Map.Entry<String, String>> out = new ArrayList<>(templates.size());
    templates.forEach((k, t) -> out.add(Map.entry(k, t.render(values::get))));
    return List.copyOf(out);
  }

  /** The rendered {@code config.oauth1} keys for this request. */
  OAuth1Signer.Keys oauth1Keys(String signatureMethod) {
    return new OAuth1Signer.Keys(
        oauth1.get("consumer_key"),
        oauth1.get("consumer_secret"),
        oauth1.get("token"),
        oauth1.get("token_secret"),
        signatureMethod);
  }

  /** A credential's value, or null. */
  String value(String name) {
    return values.get(name);
  }

  /** Sets the rendered headers on {@code h} (replacing the client's). */
  void setHeaders(io.netty.handler.codec.http.HttpHeaders h) {
    for (int i = 0; i < headerNames.length; i++) {
      h.set(headerNames[i], headerValues[i]);
    }
  }

  /** Whether the service sets the header named {@code bytes[from, to)} (any case). */
  boolean setsHeader(byte[] bytes, int from, int to) {
    int n = to - from;
    outer:
    for (byte[] name : lowerNames) {
      if (name.length != n) {
        continue;
      }
      for (int i = 0; i < n; i++) {
        byte b = bytes[from + i];
        if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != name[i]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** The service's rendered headers as request header lines ({@link #render} first). */
  byte[] headerLines() {
    return headerLines;
  }

  /**
   * Whether {@code bytes[from, to)} (a response header's value as received) repeats a secret value
   * or an injected header value (their UTF-8 bytes).
   */
  boolean echoes(byte[] bytes, int from, int to) {
    for (byte[] needle : needleBytes) {
      if (indexOf(bytes, from, to, needle) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Where {@code needle} first occurs in {@code bytes[from, to)}, or -1. */
  static int indexOf(byte[] bytes, int from, int to, byte[] needle) {
    int last = to - needle.length;
    byte first = needle[0];
    outer:
    for (int i = from; i <= last; i++) {
      if (bytes[i] != first) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (bytes[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  boolean hasNeedles() {
    return !needles.isEmpty();
  }

  /** {@code origin} with the rendered query parameters set (replacing the client's). */
  String withQuery(String origin) {
    if (query.isEmpty()) {
      return origin;
    }
    int q = origin.indexOf('?');
    StringBuilder out = new StringBuilder(q < 0 ? origin : origin.substring(0, q));
    char sep = '?';
    if (q >= 0) {
      for (String pair : origin.substring(q + 1).split("&")) {
        if (pair.isEmpty() || overridden(pair)) {
          continue;
        }
        out.append(sep).append(pair);
        sep = '&';
      }
    }
    for (Map.Entry<String, String> e : query) {
      out.append(sep)
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return out.toString();
  }

  private boolean overridden(String pair) {
    int eq = pair.indexOf('=');
    String raw = eq < 0 ? pair : pair.substring(0, eq);
    String name;
    try {
      name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      name = raw;
    }
    for (Map.Entry<String, String> e : query) {
      if (e.getKey().equals(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (credentials != null) {
      credentials.close();
    }
    values.clear();
    java.util.Arrays.fill(headerLines, (byte) 0);
    for (AsciiString v : headerValues) {
      java.util.Arrays.fill(v.array(), (byte) 0); // the rendered secret's bytes
    }
    for (byte[] needle : needleBytes) {
      java.util.Arrays.fill(needle, (byte) 0);
    }
  }
}
