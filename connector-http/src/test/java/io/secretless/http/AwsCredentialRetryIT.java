package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.config.CredentialRef;
import io.secretless.config.ServiceConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * AWS answers a rotated or revoked access key with 403, not 401: on an {@code aws} service whose
 * keys come from a cache the broker renews them and retries once, as it does on a 401; other
 * connectors pass a 403 through. The upstream is an in-JVM stand-in (no AWS here).
 */
class AwsCredentialRetryIT {
  static final String OLD_KEY = "AKIDROTATEDAWAY";
  static final String NEW_KEY = "AKIDROTATEDIN";

  @Test
  void a403ToACachedAwsKeyRenewsTheKeyAndRetriesOnceSignedWithTheNewOne() throws Exception {
    // test-rotating serves one value for every id: accessKeyId and secretAccessKey are equal here.
    RotatingTestProvider.reset(OLD_KEY, NEW_KEY);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    try (var upstream =
            new StandInUpstream(
                head -> {
                  String auth = sent(head, "Authorization:");
                  seen.add(auth);
                  return auth.contains("Credential=" + OLD_KEY + "/")
                      ? "HTTP/1.1 403 Forbidden\r\nConnection: close\r\n"
                          + "x-amzn-ErrorType: InvalidClientTokenId\r\nContent-Length: 0\r\n\r\n"
                      : "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n";
                });
        var listener = new TestListener(new AwsConnector(), List.of(aws(upstream.port())))) {
      var r = Curl.run(Map.of(), "-i", "http://127.0.0.1:" + listener.port() + "/x");
      assertThat(r.out()).startsWith("HTTP/1.1 200");
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0)).contains("Credential=" + OLD_KEY + "/");
      assertThat(seen.get(1)).contains("Credential=" + NEW_KEY + "/");
      assertThat(RotatingTestProvider.FETCHES).hasValue(1);
      assertThat(listener.metrics())
          .contains("outcome=\"credential_retry\",service=\"aws\"} 1.0")
          .contains("outcome=\"token_retry\",service=\"aws\"} 0.0");
    }
  }

  @Test
  void a403OnAGenericHttpServiceIsPassedThroughWithoutRetryOrRenewal() throws Exception {
    RotatingTestProvider.reset("key-1", "key-2");
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    try (var upstream =
            new StandInUpstream(
                head -> {
                  seen.add(sent(head, "X-Api-Key:"));
                  return "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
                });
        var listener =
            new TestListener(
                new GenericHttpConnector(),
                List.of(
                    TestServices.serviceWithRefs(
                        "api",
                        "generic_http",
                        Map.of("key", rotating("api-key")),
                        Map.of(
                            "headers",
                            Map.of("X-Api-Key", "{{ .key }}"),
                            "upstream",
                            "http://127.0.0.1:" + upstream.port()),
                        List.of())))) {
      var r = Curl.run(Map.of(), "-i", "http://127.0.0.1:" + listener.port() + "/x");
      assertThat(r.out()).startsWith("HTTP/1.1 403");
      assertThat(seen).containsExactly("X-Api-Key: key-1");
      assertThat(RotatingTestProvider.INVALIDATIONS).hasValue(0);
      assertThat(listener.metrics()).contains("outcome=\"credential_retry\",service=\"api\"} 0.0");
    }
  }

  /** Service {@code aws}: a reverse proxy to a loopback port, keys from {@code test-rotating}. */
  private static ServiceConfig aws(int port) {
    return TestServices.serviceWithRefs(
        "aws",
        "aws",
        Map.of(
            "accessKeyId", rotating("access-key-id"),
            "secretAccessKey", rotating("secret-access-key")),
        Map.of("upstream", "http://127.0.0.1:" + port, "region", "eu-west-3", "service", "sts"),
        List.of());
  }

  private static CredentialRef rotating(String id) {
    return new CredentialRef.FromProvider("test-rotating", id, TestServices.at(5));
  }

  /** The header line of a request head whose name is {@code name} (any case), or "none". */
  private static String sent(String head, String name) {
    return head.lines()
        .filter(l -> l.regionMatches(true, 0, name, 0, name.length()))
        .findFirst()
        .orElse("none");
  }
}
