package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslProvider;
import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendTlsTest {
  private static BackendSettings settings(String... pairs) {
    Map<String, Secret> values = new LinkedHashMap<>();
    values.put("host", Secret.of("localhost"));
    values.put("username", Secret.of("u"));
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], Secret.of(pairs[i + 1]));
    }
    return BackendSettings.from(new Credentials("pg-unit", values));
  }

  private static String unitCert() throws Exception {
    return Path.of(BackendTlsTest.class.getResource("/tls/unit.crt").toURI()).toString();
  }

  @Test
  void usesBoringSslOnLinuxX86() {
    assertThat(BackendTls.provider()).isEqualTo(SslProvider.OPENSSL);
  }

  @Test
  void noContextForSslmodeDisableAndOneCachedContextPerInputs() throws Exception {
    BackendTls tls = new BackendTls();
    assertThat(tls.context(settings("sslmode", "disable"))).isEmpty();
    var first = tls.context(settings("sslmode", "verify-full", "sslrootcert", unitCert()));
    var again = tls.context(settings("sslmode", "verify-full", "sslrootcert", unitCert()));
    var other = tls.context(settings("sslmode", "verify-ca", "sslrootcert", unitCert()));
    assertThat(first).isPresent();
    assertThat(again.get()).isSameAs(first.get());
    assertThat(other.get()).isNotSameAs(first.get());
  }

  @Test
  void cachedContextNeverBuildsAndAnswersOnlyForTheInputsCachedLast() throws Exception {
    BackendTls tls = new BackendTls();
    var verifyFull = settings("sslmode", "verify-full", "sslrootcert", unitCert());
    assertThat(tls.cachedContext(verifyFull)).isEmpty();
    assertThat(tls.context(settings("sslmode", "verify-ca", "sslrootcert", unitCert())))
        .isPresent();
    assertThat(tls.cachedContext(verifyFull)).isEmpty();
    var built = tls.context(verifyFull);
    assertThat(tls.cachedContext(verifyFull).get()).isSameAs(built.get());
    assertThat(tls.cachedContext(settings("sslmode", "disable"))).isEmpty();
  }

  @Test
  void unreadableRootCertificateIsACredentialsErrorNamingThePath() {
    assertThatThrownBy(
            () ->
                new BackendTls()
                    .context(
                        settings("sslmode", "verify-ca", "sslrootcert", "/nonexistent/ca.pem")))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("sslrootcert/sslcert/sslkey")
        .hasMessageContaining("/nonexistent/ca.pem");
  }
}
