package io.secretless.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (header form), as documented in "Create a signed AWS API request": the
 * canonical request, the string to sign, the derived signing key and the Authorization header. Pure
 * functions, no I/O; the connector supplies the request parts.
 */
final class AwsSigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final Pattern CREDENTIAL =
      Pattern.compile("Credential=[^/,\\s]+/(\\d{8})/([^/]+)/([^/]+)/aws4_request");

  private AwsSigV4() {}

  /** Region and service from a client's (dummy) SigV4 Authorization header. */
  record Scope(String region, String service) {}

  static Optional<Scope> scopeOf(String authorization) {
    if (authorization == null || !authorization.startsWith(ALGORITHM)) {
      return Optional.empty();
    }
    Matcher m = CREDENTIAL.matcher(authorization);
    return m.find() ? Optional.of(new Scope(m.group(2), m.group(3))) : Optional.empty();
  }

  /**
   * The Authorization header value.
   *
   * @param path the request path as sent (already percent-encoded)
   * @param rawQuery the query string as sent, or null
   * @param headers every header to sign (names any case), including host and x-amz-date
   * @param payloadHash hex SHA-256 of the body, or UNSIGNED-PAYLOAD
   * @param amzDate e.g. 20150830T123600Z
   */
  static String authorization(
      String method,
      String path,
      String rawQuery,
      Map<String, String> headers,
      String payloadHash,
      String amzDate,
      Scope scope,
      String accessKeyId,
      byte[] secretAccessKey) {
    TreeMap<String, String> canonical = new TreeMap<>();
    headers.forEach(
        (k, v) -> canonical.put(k.toLowerCase(Locale.ROOT), v.trim().replaceAll("\\s+", " ")));
    String signedHeaders = String.join(";", canonical.keySet());
    StringBuilder req = new StringBuilder();
    req.append(method).append('\n');
    req.append(canonicalPath(path, scope.service())).append('\n');
    req.append(canonicalQuery(rawQuery)).append('\n');
    canonical.forEach((k, v) -> req.append(k).append(':').append(v).append('\n'));
    req.append('\n').append(signedHeaders).append('\n').append(payloadHash);
    String date = amzDate.substring(0, 8);
    String credentialScope = date + "/" + scope.region() + "/" + scope.service() + "/aws4_request";
    String toSign =
        ALGORITHM + "\n" + amzDate + "\n" + credentialScope + "\n" + sha256Hex(req.toString());
    byte[] key = signingKey(secretAccessKey, date, scope);
    String signature = HexFormat.of().formatHex(hmac(key, toSign));
    java.util.Arrays.fill(key, (byte) 0);
    return ALGORITHM
        + " Credential="
        + accessKeyId
        + "/"
        + credentialScope
        + ", SignedHeaders="
        + signedHeaders
        + ", Signature="
        + signature;
  }

  /** Hex SHA-256 of the canonical request, for tests against the documented examples. */
  static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] signingKey(byte[] secret, String date, Scope scope) {
    byte[] prefix = "AWS4".getBytes(StandardCharsets.UTF_8);
    byte[] first = new byte[prefix.length + secret.length];
    System.arraycopy(prefix, 0, first, 0, prefix.length);
    System.arraycopy(secret, 0, first, prefix.length, secret.length);
    byte[] kDate = hmac(first, date);
    java.util.Arrays.fill(first, (byte) 0);
    byte[] kRegion = hmac(kDate, scope.region());
    byte[] kService = hmac(kRegion, scope.service());
    return hmac(kService, "aws4_request");
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** S3 signs the path as sent; every other service signs it percent-encoded once more. */
  private static String canonicalPath(String path, String service) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    if (service.equals("s3")) {
      return path;
    }
    return encode(path, false);
  }

  private static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = decode(eq < 0 ? p : p.substring(0, eq));
      String value = eq < 0 ? "" : decode(p.substring(eq + 1));
      pairs.add(new String[] {encode(name, true), encode(value, true)});
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder out = new StringBuilder();
    for (String[] p : pairs) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(p[0]).append('=').append(p[1]);
    }
    return out.toString();
  }

  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** RFC 3986 percent-encoding of everything but unreserved characters (and '/' in paths). */
  static String encode(String s, boolean encodeSlash) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean unreserved =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '~';
      if (unreserved || (c == '/' && !encodeSlash)) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
