package io.secretless.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Replaces the client's dummy SigV4 signature on an upstream request by a real one. */
final class AwsRequestSigner {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private AwsRequestSigner() {}

  static void sign(
      HttpRequest r,
      HttpRoute route,
      RouteCredentials creds,
      String payloadHash,
      String clientAuthorization) {
    HttpRoute.AwsSigning aws = route.aws().orElseThrow();
    var fromClient = AwsSigV4.scopeOf(clientAuthorization);
    String region = aws.region().or(() -> fromClient.map(AwsSigV4.Scope::region)).orElse(null);
    String service = aws.service().or(() -> fromClient.map(AwsSigV4.Scope::service)).orElse(null);
    if (region == null || service == null) {
      throw new RequestTarget.Rejected(
          HttpResponseStatus.BAD_REQUEST,
          "service "
              + route.name()
              + ": cannot tell the AWS region and service: the request has no SigV4"
              + " Authorization header (sign it with any dummy credentials) and config.region /"
              + " config.service are not set");
    }
    HttpHeaders h = r.headers();
    h.remove(HttpHeaderNames.AUTHORIZATION);
    h.remove("X-Amz-Security-Token");
    String amzDate = AMZ_DATE.format(Instant.now());
    h.set("X-Amz-Date", amzDate);
    h.set("X-Amz-Content-Sha256", payloadHash);
    String session = creds.value("accessToken");
    if (session != null && !session.isEmpty()) {
      h.set("X-Amz-Security-Token", session);
    }
    Map<String, String> signed = new TreeMap<>();
    for (Map.Entry<String, String> e : h) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("host") || name.equals("content-type") || name.startsWith("x-amz-")) {
        signed.merge(name, e.getValue(), (a, b) -> a + "," + b);
      }
    }
    String uri = r.uri();
    int q = uri.indexOf('?');
    byte[] secret = creds.value("secretAccessKey").getBytes(StandardCharsets.UTF_8);
    try {
      h.set(
          HttpHeaderNames.AUTHORIZATION,
          AwsSigV4.authorization(
              r.method().name(),
              q < 0 ? uri : uri.substring(0, q),
              q < 0 ? null : uri.substring(q + 1),
              signed,
              payloadHash,
              amzDate,
              new AwsSigV4.Scope(region, service),
              creds.value("accessKeyId"),
              secret));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
