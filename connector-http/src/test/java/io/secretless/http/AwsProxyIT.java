package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The aws connector through the broker to nginx over verified TLS: the client's dummy SigV4
 * signature is replaced by one made with the real keys, which the test recomputes from what nginx
 * received (there is no AWS endpoint here; AwsSigV4Test checks the signer against AWS's vectors).
 */
class AwsProxyIT {
  static final String SECRET_KEY = "Aws-Secret-Canary-0b9e4";
  static final String SESSION = "Aws-Session-Canary-13c5d";
  static final String DUMMY =
      "AWS4-HMAC-SHA256 Credential=dummy/20240101/eu-west-3/sts/aws4_request,"
          + " SignedHeaders=host;x-amz-date, Signature=0000";
  static TestListener listener;
  static int https;

  @BeforeAll
  static void start() {
    https = ItEnv.nginxHttps();
    var aws =
        service(
            "aws-sts",
            "aws",
            Map.of(
                "accessKeyId",
                "AKIDEXAMPLE",
                "secretAccessKey",
                SECRET_KEY,
                "accessToken",
                SESSION),
            Map.of(
                "caBundle",
                ItEnv.caBundle(),
                "authenticateURLsMatching",
                "^http://localhost:" + https + "/"));
    listener = new TestListener(new AwsConnector(), List.of(aws));
  }

  @AfterAll
  static void stop() {
    listener.close();
  }

  static Map<String, String> fields(String body) {
    Map<String, String> out = new TreeMap<>();
    for (String line : body.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  static String expected(String method, String query, Map<String, String> got, String ctype) {
    Map<String, String> signed = new TreeMap<>();
    signed.put("host", got.get("hosthdr"));
    signed.put("x-amz-content-sha256", got.get("amzsha"));
    signed.put("x-amz-date", got.get("amzdate"));
    signed.put("x-amz-security-token", got.get("amztoken"));
    if (ctype != null) {
      signed.put("content-type", ctype);
    }
    return AwsSigV4.authorization(
        method,
        "/headers",
        query,
        signed,
        got.get("amzsha"),
        got.get("amzdate"),
        new AwsSigV4.Scope("eu-west-3", "sts"),
        "AKIDEXAMPLE",
        SECRET_KEY.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void getIsReSignedWithTheRealKeysRegionAndServiceFromTheDummySignature() {
    String query = "Action=GetCallerIdentity&Version=2011-06-15";
    var r =
        Curl.viaProxy(
            listener.port(),
            "-H",
            "Authorization: " + DUMMY,
            "-H",
            "X-Amz-Security-Token: dummy-token",
            "http://localhost:" + https + "/headers?" + query);
    Map<String, String> got = fields(r.out());
    assertThat(got.get("auth"))
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        .contains("/eu-west-3/sts/aws4_request")
        .isEqualTo(expected("GET", query, got, null));
    assertThat(got.get("amztoken")).isEqualTo(SESSION);
    assertThat(got.get("amzsha")).isEqualTo(AwsSigV4.EMPTY_SHA256);
  }

  @Test
  void postBodyIsHashedIntoTheSignature() {
    String body = "Action=GetCallerIdentity&Version=2011-06-15";
    var r =
        Curl.viaProxy(
            listener.port(),
            "-H",
            "Authorization: " + DUMMY,
            "--data",
            body,
            "http://localhost:" + https + "/headers");
    Map<String, String> got = fields(r.out());
    assertThat(got.get("amzsha")).isEqualTo(AwsSigV4.sha256Hex(body));
    assertThat(got.get("auth"))
        .isEqualTo(expected("POST", null, got, "application/x-www-form-urlencoded"));
  }

  @Test
  void requestWithoutSignatureOrConfiguredRegionIsRefusedWithAHint() {
    var r = Curl.viaProxy(listener.port(), "-i", "http://localhost:" + https + "/headers");
    assertThat(r.out()).startsWith("HTTP/1.1 400").contains("cannot tell the AWS region");
    assertThat(r.out()).doesNotContain(SECRET_KEY).doesNotContain(SESSION);
  }
}
