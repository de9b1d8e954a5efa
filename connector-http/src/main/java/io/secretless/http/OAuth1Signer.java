package io.secretless.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OAuth 1.0a request signing (RFC 5849 section 3.4) with HMAC-SHA1 or HMAC-SHA256: the signature
 * base string over method, base URI and every parameter (query, form body, oauth_*), and the {@code
 * Authorization: OAuth ...} header. Pure functions.
 */
final class OAuth1Signer {
  private OAuth1Signer() {}

  /** The four values from {@code config.oauth1}, rendered, and the signature method. */
  record Keys(
      String consumerKey,
      String consumerSecret,
      String token,
      String tokenSecret,
      String signatureMethod) {}

  /**
   * @param baseUri scheme://host[:port]/path, lower-case scheme and host, default port omitted
   * @param rawQuery the request's query string or null
   * @param formBody the application/x-www-form-urlencoded body or null
   */
  static String authorization(
      String method,
      String baseUri,
      String rawQuery,
      String formBody,
      Keys keys,
      String nonce,
      long timestamp) {
    Map<String, String> oauth = new TreeMap<>();
    oauth.put("oauth_consumer_key", keys.consumerKey());
    oauth.put("oauth_nonce", nonce);
    oauth.put("oauth_signature_method", keys.signatureMethod());
    oauth.put("oauth_timestamp", Long.toString(timestamp));
    if (keys.token() != null && !keys.token().isEmpty()) {
      oauth.put("oauth_token", keys.token());
    }
    oauth.put("oauth_version", "1.0");
    List<String[]> params = new ArrayList<>();
    decodeInto(rawQuery, params);
    decodeInto(formBody, params);
    oauth.forEach((k, v) -> params.add(new String[] {enc(k), enc(v)}));
    params.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder normalized = new StringBuilder();
    for (String[] p : params) {
      if (!normalized.isEmpty()) {
        normalized.append('&');
      }
      normalized.append(p[0]).append('=').append(p[1]);
    }
    String base = method + "&" + enc(baseUri) + "&" + enc(normalized.toString());
    String key = enc(keys.consumerSecret()) + "&" + enc(nullToEmpty(keys.tokenSecret()));
    String signature = Base64.getEncoder().encodeToString(hmac(keys.signatureMethod(), key, base));
    oauth.put("oauth_signature", signature);
    StringBuilder header = new StringBuilder("OAuth ");
    boolean first = true;
    for (Map.Entry<String, String> e : oauth.entrySet()) {
      if (!first) {
        header.append(", ");
      }
      first = false;
      header.append(enc(e.getKey())).append("=\"").append(enc(e.getValue())).append('"');
    }
    return header.toString();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static void decodeInto(String raw, List<String[]> out) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.add(new String[] {enc(name), enc(value)});
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** RFC 5849 3.6: percent-encode all but unreserved characters. */
  static String enc(String s) {
    return AwsSigV4.encode(s, true);
  }

  private static byte[] hmac(String method, String key, String data) {
    String alg =
        switch (method) {
          case "HMAC-SHA1" -> "HmacSHA1";
          case "HMAC-SHA256" -> "HmacSHA256";
          default -> throw new IllegalArgumentException("unsupported oauth1 method " + method);
        };
    try {
      Mac mac = Mac.getInstance(alg);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), alg));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
