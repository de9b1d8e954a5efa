package io.secretless.pg;

import io.secretless.core.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A certificate or key given as PEM contents (as CyberArk takes them) or as a file path (our
 * extension): a value containing {@code -----BEGIN} is contents, anything else a path.
 */
final class PemSource {
  private static final byte[] BEGIN = "-----BEGIN".getBytes(StandardCharsets.US_ASCII);

  private PemSource() {}

  /**
   * The PEM bytes; the caller zeroes them when done.
   *
   * @throws IOException when the value is a path that cannot be read (the message names the path)
   */
  static byte[] read(Secret value) throws IOException {
    byte[] bytes = value.reveal();
    if (contains(bytes, BEGIN)) {
      return bytes;
    }
    String path = new String(bytes, StandardCharsets.UTF_8).trim();
    Arrays.fill(bytes, (byte) 0);
    return Files.readAllBytes(Path.of(path));
  }

  static InputStream stream(byte[] pem) {
    return new ByteArrayInputStream(pem);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
