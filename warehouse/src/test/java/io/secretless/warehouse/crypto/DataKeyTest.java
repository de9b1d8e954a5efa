package io.secretless.warehouse.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.subtle.AesGcmJce;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** DataKey opens exactly what Tink's AES-GCM seals, and nothing altered. */
class DataKeyTest {
  private final byte[] raw = new byte[32];
  private final byte[] ad = "secretless:credential:id:v1".getBytes(StandardCharsets.UTF_8);

  DataKeyTest() {
    new SecureRandom().nextBytes(raw);
  }

  @Test
  void opensWhatTinkSealedAgainAndAgainWithItsReusedCiphers() throws Exception {
    var tink = new AesGcmJce(raw);
    var key = new DataKey(raw);
    for (int i = 0; i < 40; i++) {
      byte[] plain = ("{\"password\":\"pw-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
      assertThat(key.decrypt(tink.encrypt(plain, ad), ad)).isEqualTo(plain);
    }
  }

  @Test
  void refusesAFlippedByteOtherAssociatedDataAndATruncatedPayload() throws Exception {
    var key = new DataKey(raw);
    byte[] sealed = new AesGcmJce(raw).encrypt("secret".getBytes(StandardCharsets.UTF_8), ad);
    for (int i = 0; i < sealed.length; i++) {
      byte[] flipped = sealed.clone();
      flipped[i] ^= 1;
      assertThatThrownBy(() -> key.decrypt(flipped, ad))
          .isInstanceOf(GeneralSecurityException.class);
    }
    byte[] otherAd = "secretless:credential:id:v2".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> key.decrypt(sealed, otherAd))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> key.decrypt(new byte[27], ad))
        .isInstanceOf(GeneralSecurityException.class);
    // A refused payload leaves the key usable.
    assertThat(key.decrypt(sealed, ad)).isEqualTo("secret".getBytes(StandardCharsets.UTF_8));
  }
}
