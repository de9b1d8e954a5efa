package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against the published AWS SigV4 test suite (get-vanilla and friends, 2015-08-30 examples). */
class AwsSigV4Test {
  static final byte[] SECRET =
      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".getBytes(StandardCharsets.UTF_8);
  static final AwsSigV4.Scope SCOPE = new AwsSigV4.Scope("us-east-1", "service");

  static Map<String, String> vanillaHeaders() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Host", "example.amazonaws.com");
    h.put("X-Amz-Date", "20150830T123600Z");
    return h;
  }

  @Test
  void getVanillaMatchesThePublishedSignature() {
    String auth =
        AwsSigV4.authorization(
            "GET",
            "/",
            null,
            vanillaHeaders(),
            AwsSigV4.EMPTY_SHA256,
            "20150830T123600Z",
            SCOPE,
            "AKIDEXAMPLE",
            SECRET);
    assertThat(auth)
        .isEqualTo(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                + " SignedHeaders=host;x-amz-date,"
                + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }

  @Test
  void queryParametersAreSortedByName() {
    String auth =
        AwsSigV4.authorization(
            "GET",
            "/",
            "Param2=value2&Param1=value1",
            vanillaHeaders(),
            AwsSigV4.EMPTY_SHA256,
            "20150830T123600Z",
            SCOPE,
            "AKIDEXAMPLE",
            SECRET);
    assertThat(auth)
        .endsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  }

  @Test
  void regionAndServiceAreReadFromTheClientsDummySignature() {
    assertThat(
            AwsSigV4.scopeOf(
                "AWS4-HMAC-SHA256 Credential=dummy/20240101/eu-west-3/sts/aws4_request,"
                    + " SignedHeaders=host;x-amz-date, Signature=00"))
        .contains(new AwsSigV4.Scope("eu-west-3", "sts"));
    assertThat(AwsSigV4.scopeOf("Bearer x")).isEmpty();
  }

  @Test
  void pathsAreEncodedOnceMoreExceptForS3() {
    assertThat(AwsSigV4.encode("/a b/%41", false)).isEqualTo("/a%20b/%2541");
  }
}
