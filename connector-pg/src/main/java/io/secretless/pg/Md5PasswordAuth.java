package io.secretless.pg;

import io.secretless.core.Secret;
import io.secretless.pg.message.PasswordMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Answers {@code AuthenticationMD5Password}: {@code "md5" + md5hex(md5hex(password + user) +
 * salt)}, as in PostgreSQL's {@code pg_md5_encrypt}. Intermediate arrays are zeroed.
 */
final class Md5PasswordAuth {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private Md5PasswordAuth() {}

  static PasswordMessage respond(String user, Secret password, byte[] salt) {
    byte[] secret = password.reveal();
    byte[] inner = null;
    byte[] outer = null;
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(secret);
      md5.update(user.getBytes(StandardCharsets.UTF_8));
      inner = hex(md5.digest());
      md5.update(inner);
      md5.update(salt);
      byte[] digest = hex(md5.digest());
      outer = new byte[3 + digest.length];
      outer[0] = 'm';
      outer[1] = 'd';
      outer[2] = '5';
      System.arraycopy(digest, 0, outer, 3, digest.length);
      Arrays.fill(digest, (byte) 0);
      return new PasswordMessage(outer);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    } finally {
      Arrays.fill(secret, (byte) 0);
      if (inner != null) {
        Arrays.fill(inner, (byte) 0);
      }
      if (outer != null) {
        Arrays.fill(outer, (byte) 0);
      }
    }
  }

  private static byte[] hex(byte[] digest) {
    byte[] out = new byte[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[digest[i] & 0xF];
    }
    Arrays.fill(digest, (byte) 0);
    return out;
  }
}
