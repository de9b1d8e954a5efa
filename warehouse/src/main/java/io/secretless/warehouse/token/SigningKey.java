package io.secretless.warehouse.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.store.KeyMaterialStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.util.Base64;
import java.util.UUID;

/**
 * The ES256 key that signs the warehouse's own access tokens. Shared by every node through the
 * store, where it is kept only encrypted under the master key (associated data {@code
 * secretless-jwt-v1}).
 */
public final class SigningKey {
  static final String NAME = "jwt_signing_key";
  private static final byte[] AD = "secretless-jwt-v1".getBytes(StandardCharsets.UTF_8);

  private SigningKey() {}

  /** Loads the signing key, creating it on first use. */
  public static ECKey load(KeyMaterialStore store, MasterKey master) {
    String stored =
        store.get(NAME).orElseGet(() -> store.putIfAbsent(NAME, encrypt(generate(), master)));
    try {
      byte[] json = master.aead().decrypt(Base64.getDecoder().decode(stored), AD);
      return ECKey.parse(new String(json, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | ParseException | IllegalArgumentException e) {
      throw new WarehouseException(
          ErrorCode.BAD_REQUEST,
          "wrong master key: the key from "
              + master.source()
              + " cannot decrypt this warehouse's token signing key; nothing was changed");
    }
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID(UUID.randomUUID().toString())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .generate();
    } catch (JOSEException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot generate signing key: " + e, e);
    }
  }

  private static String encrypt(ECKey key, MasterKey master) {
    try {
      byte[] sealed =
          master.aead().encrypt(key.toJSONString().getBytes(StandardCharsets.UTF_8), AD);
      return Base64.getEncoder().encodeToString(sealed);
    } catch (GeneralSecurityException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot encrypt signing key: " + e, e);
    }
  }
}
