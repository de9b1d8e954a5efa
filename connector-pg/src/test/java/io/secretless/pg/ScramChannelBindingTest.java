package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.core.Secret;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScramChannelBindingTest {
  private static X509Certificate certificate() throws Exception {
    try (InputStream in = ScramChannelBindingTest.class.getResourceAsStream("/tls/unit.crt")) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static String clientFirst(List<String> offered, Optional<X509Certificate> cert) {
    ScramSha256Auth scram =
        ScramSha256Auth.start(
            offered, "*", Secret.of("pw"), cert, Optional.of("nonce"), new ScramKeyCache());
    return scram.mechanism()
        + " "
        + new String(scram.initialResponse().data(), StandardCharsets.UTF_8);
  }

  @Test
  void usesScramSha256PlusWithTlsServerEndPointOverTls() throws Exception {
    assertThat(
            clientFirst(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), Optional.of(certificate())))
        .isEqualTo("SCRAM-SHA-256-PLUS p=tls-server-end-point,,n=*,r=nonce");
  }

  @Test
  void tellsTheServerItCouldBindWhenTlsIsOnButPlusIsNotOffered() throws Exception {
    assertThat(clientFirst(List.of("SCRAM-SHA-256"), Optional.of(certificate())))
        .isEqualTo("SCRAM-SHA-256 y,,n=*,r=nonce");
  }

  @Test
  void usesPlainScramWithoutTls() {
    assertThat(clientFirst(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), Optional.empty()))
        .isEqualTo("SCRAM-SHA-256 n,,n=*,r=nonce");
  }
}
