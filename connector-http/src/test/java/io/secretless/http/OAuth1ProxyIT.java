package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code config.oauth1} through the broker to nginx: the signature nginx received is recomputed
 * from its nonce and timestamp (OAuth1SignerTest checks the signer against a published example).
 */
class OAuth1ProxyIT {
  static final String CONSUMER_SECRET = "OAuth1-Consumer-Canary-8d2f7";
  static final String TOKEN_SECRET = "OAuth1-Token-Canary-a41c3";
  static TestListener listener;
  static int http;

  @BeforeAll
  static void start() {
    http = ItEnv.nginxHttp();
    var svc =
        service(
            "twitter",
            "generic_http",
            Map.of(
                "consumer_key",
                "ck-1",
                "consumer_secret",
                CONSUMER_SECRET,
                "token",
                "tk-1",
                "token_secret",
                TOKEN_SECRET),
            Map.of(
                "oauth1",
                Map.of(
                    "consumer_key", "{{ .consumer_key }}",
                    "consumer_secret", "{{ .consumer_secret }}",
                    "token", "{{ .token }}",
                    "token_secret", "{{ .token_secret }}",
                    "signature_method", "HMAC-SHA256"),
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:" + http + "/"));
    listener = new TestListener(new GenericHttpConnector(), List.of(svc));
  }

  @AfterAll
  static void stop() {
    listener.close();
  }

  static String param(String header, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(header);
    assertThat(m.find()).as(name + " in " + header).isTrue();
    return m.group(1);
  }

  @Test
  void formPostIsSignedOverQueryAndBodyParameters() {
    String body = "status=Hello%20Ladies%20%2B%20Gentlemen";
    var r =
        Curl.viaProxy(
            listener.port(),
            "--data",
            body,
            "http://127.0.0.1:" + http + "/headers?include_entities=true");
    String auth = r.out().lines().filter(l -> l.startsWith("auth=")).findFirst().orElseThrow();
    String header = auth.substring("auth=".length());
    assertThat(header).startsWith("OAuth ").contains("oauth_signature_method=\"HMAC-SHA256\"");
    String expected =
        OAuth1Signer.authorization(
            "POST",
            "http://127.0.0.1:" + http + "/headers",
            "include_entities=true",
            body,
            new OAuth1Signer.Keys("ck-1", CONSUMER_SECRET, "tk-1", TOKEN_SECRET, "HMAC-SHA256"),
            param(header, "oauth_nonce"),
            Long.parseLong(param(header, "oauth_timestamp")));
    assertThat(header).isEqualTo(expected);
    assertThat(r.out()).doesNotContain(CONSUMER_SECRET).doesNotContain(TOKEN_SECRET);
  }
}
