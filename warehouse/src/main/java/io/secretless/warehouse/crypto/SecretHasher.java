package io.secretless.warehouse.crypto;

import io.secretless.core.Secret;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes OAuth2 client secrets with Argon2id (19 MiB, 2 passes, 16-byte salt; OWASP's minimum) and
 * checks them in constant time. Encoded as {@code argon2id$m$t$p$salt$hash} (base64 parts).
 */
public final class SecretHasher {
  private static final int MEMORY_KB = 19 * 1024;
  private static final int ITERATIONS = 2;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private final SecureRandom random = new SecureRandom();

  public String hash(Secret secret) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    byte[] out = derive(secret, salt, MEMORY_KB, ITERATIONS, 1);
    return "argon2id$"
        + MEMORY_KB
        + "$"
        + ITERATIONS
        + "$1$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(out);
  }

  /** True when {@code secret} matches {@code encoded}; false for any malformed encoding. */
  public boolean matches(Secret secret, String encoded) {
    String[] parts = encoded.split("\\$");
    if (parts.length != 6 || !parts[0].equals("argon2id")) {
      return false;
    }
    try {
      byte[] salt = Base64.getDecoder().decode(parts[4]);
      byte[] expected = Base64.getDecoder().decode(parts[5]);
      byte[] actual =
          derive(
              secret,
              salt,
              Integer.parseInt(parts[1]),
              Integer.parseInt(parts[2]),
              Integer.parseInt(parts[3]));
      return MessageDigest.isEqual(expected, actual);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(
      Secret secret, byte[] salt, int memoryKb, int iterations, int lanes) {
    var generator = new Argon2BytesGenerator();
    generator.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withSalt(salt)
            .withMemoryAsKB(memoryKb)
            .withIterations(iterations)
            .withParallelism(lanes)
            .build());
    byte[] out = new byte[32];
    byte[] pass = secret.reveal();
    try {
      generator.generateBytes(pass, out);
    } finally {
      Arrays.fill(pass, (byte) 0);
    }
    return out;
  }
}
