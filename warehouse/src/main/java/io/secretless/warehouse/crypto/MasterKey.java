package io.secretless.warehouse.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.subtle.AesGcmJce;
import io.secretless.core.Secret;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The 256-bit master key. It encrypts only the key-encryption keyset and the token signing key
 * (AES-256-GCM), never credential data directly.
 *
 * <p>Sources: a key file (base64 of 32 random bytes, created mode 0600 by {@code warehouse init}),
 * the {@code SECRETLESS_MASTER_KEY} environment variable (same encoding), or a passphrase stretched
 * with Argon2id (64 MiB, 3 passes) and a per-warehouse salt kept in the store.
 */
public final class MasterKey {
  public static final int KEY_BYTES = 32;
  private final Aead aead;
  private final String source;

  private MasterKey(byte[] key, String source) {
    try {
      this.aead = new AesGcmJce(key);
    } catch (GeneralSecurityException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot use master key: " + e, e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    this.source = source;
  }

  /** The AEAD keyed by the master key. */
  public Aead aead() {
    return aead;
  }

  /** Where the key came from, for error messages (never the key itself). */
  public String source() {
    return source;
  }

  /** Writes a fresh random key to {@code file}, created with mode 0600; refuses to overwrite. */
  public static void createKeyFile(Path file) {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] encoded = Base64.getEncoder().encode(key);
    Arrays.fill(key, (byte) 0);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, encoded);
    } catch (FileAlreadyExistsException e) {
      throw WarehouseException.conflict(
          "master key file " + file + " already exists; refusing to overwrite it");
    } catch (IOException e) {
      throw new WarehouseException(
          ErrorCode.INTERNAL, "cannot write master key file " + file + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
  }

  public static MasterKey fromFile(Path file) {
    byte[] text;
    try {
      text = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new WarehouseException(
          ErrorCode.BAD_REQUEST,
          "cannot read master key file "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "); run `secretless warehouse init` or set SECRETLESS_MASTER_KEY");
    }
    try {
      return new MasterKey(
          decode(new String(text, StandardCharsets.US_ASCII).strip(), file.toString()),
          "key file " + file);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /** A base64 key from an environment variable (its value is never echoed). */
  public static MasterKey fromBase64(Secret encoded, String sourceName) {
    return new MasterKey(decode(encoded.revealString().strip(), sourceName), sourceName);
  }

  /** Stretches {@code passphrase} with Argon2id and {@code salt}. */
  public static MasterKey fromPassphrase(Secret passphrase, byte[] salt) {
    var params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withSalt(salt)
            .withMemoryAsKB(64 * 1024)
            .withIterations(3)
            .withParallelism(1)
            .build();
    var generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] key = new byte[KEY_BYTES];
    byte[] pass = passphrase.reveal();
    try {
      generator.generateBytes(pass, key);
    } finally {
      Arrays.fill(pass, (byte) 0);
    }
    return new MasterKey(key, "passphrase");
  }

  private static byte[] decode(String base64, String sourceName) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw WarehouseException.badRequest("master key from " + sourceName + " is not valid base64");
    }
    if (key.length != KEY_BYTES) {
      Arrays.fill(key, (byte) 0);
      throw WarehouseException.badRequest(
          "master key from " + sourceName + " must be " + KEY_BYTES + " bytes, base64-encoded");
    }
    return key;
  }
}
