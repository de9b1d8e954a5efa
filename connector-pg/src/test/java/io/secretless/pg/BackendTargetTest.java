package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which targets the event loop may prepare itself: nothing that resolves names or reads files. */
class BackendTargetTest {
  private final BackendTls tls = new BackendTls();

  private static Credentials credentials(String host, String sslmode) {
    Map<String, Secret> values = new LinkedHashMap<>();
    values.put("host", Secret.of(host));
    values.put("port", Secret.of("6432"));
    values.put("username", Secret.of("app"));
    values.put("password", Secret.of("Target-Canary-5e1"));
    values.put("sslmode", Secret.of(sslmode));
    return new Credentials("pg-unit", values);
  }

  @Test
  void anIpAddressWithTlsOffIsPreparedWithoutBlocking() {
    var target = BackendTarget.prepareWithoutBlocking(credentials("127.0.0.1", "disable"), tls);
    assertThat(target).isPresent();
    assertThat(target.get().tls()).isEmpty();
    assertThat(target.get().address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(target.get().address().getPort()).isEqualTo(6432);
  }

  @Test
  void aTlsContextNotYetCachedIsLeftToTheBlockingPathWithTheCredentialsOpen() {
    Credentials c = credentials("::1", "require");
    assertThat(BackendTarget.prepareWithoutBlocking(c, tls)).isEmpty();
    assertThat(c.get("password").get().isDestroyed()).isFalse();
    BackendTarget blocking = BackendTarget.prepare(c, tls);
    var again = BackendTarget.prepareWithoutBlocking(credentials("::1", "require"), tls);
    assertThat(again).isPresent();
    assertThat(again.get().tls().get()).isSameAs(blocking.tls().get());
    assertThat(again.get().address()).isEqualTo(blocking.address());
  }

  @Test
  void aHostNameOrAScopedAddressNeedsALookupSoIsLeftToTheBlockingPath() {
    assertThat(BackendTarget.prepareWithoutBlocking(credentials("localhost", "disable"), tls))
        .isEmpty();
    assertThat(BackendTarget.prepareWithoutBlocking(credentials("fe80::1%lo", "disable"), tls))
        .isEmpty();
  }

  @Test
  void invalidSettingsFailAtOnceAndZeroTheCredentials() {
    Credentials c = credentials("127.0.0.1", "sometimes");
    assertThatThrownBy(() -> BackendTarget.prepareWithoutBlocking(c, tls))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("sslmode")
        .hasMessageNotContaining("Target-Canary-5e1");
    assertThat(c.get("password").get().isDestroyed()).isTrue();
  }
}
