package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OAuth1SignerTest {
  static final OAuth1Signer.Keys TWITTER_DOCS =
      new OAuth1Signer.Keys(
          "xvz1evFS4wEEPTGEFPHBog",
          "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
          "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
          "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
          "HMAC-SHA1");

  /** The worked example of Twitter's "Creating a signature" documentation. */
  @Test
  void hmacSha1MatchesThePublishedWorkedExample() {
    String header =
        OAuth1Signer.authorization(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json",
            "include_entities=true",
            "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21",
            TWITTER_DOCS,
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            1318622958L);
    assertThat(header)
        .startsWith("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\"")
        .contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\"")
        .contains("oauth_signature_method=\"HMAC-SHA1\"")
        .contains("oauth_version=\"1.0\"");
  }

  @Test
  void hmacSha256ProducesA256BitSignatureOverTheSameBaseString() {
    var keys =
        new OAuth1Signer.Keys(
            TWITTER_DOCS.consumerKey(),
            TWITTER_DOCS.consumerSecret(),
            TWITTER_DOCS.token(),
            TWITTER_DOCS.tokenSecret(),
            "HMAC-SHA256");
    String header =
        OAuth1Signer.authorization("GET", "https://api.example.com/x", null, null, keys, "n", 1L);
    String sig = header.replaceAll(".*oauth_signature=\"([^\"]+)\".*", "$1");
    assertThat(java.net.URLDecoder.decode(sig, java.nio.charset.StandardCharsets.UTF_8))
        .hasSize(44); // base64 of 32 bytes
    assertThat(header).contains("oauth_signature_method=\"HMAC-SHA256\"");
  }
}
