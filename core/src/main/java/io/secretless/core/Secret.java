package io.secretless.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A secret value: a password, key, token or certificate.
 *
 * <p>Deliberately not a record: {@link #toString()} never prints the value, and the only way to the
 * bytes is an explicit {@link #reveal()} (a copy the caller zeroes when done) or {@link
 * #revealString()}. {@link #equals(Object)} compares in constant time. {@link #destroy()} zeroes
 * the held bytes; using a destroyed secret throws.
 */
public final class Secret implements AutoCloseable {
  private final byte[] value;
  private volatile boolean destroyed;

  private Secret(byte[] value) {
    this.value = value;
  }

  /** Wraps a copy of {@code bytes}; the caller may zero its own array afterwards. */
  public static Secret of(byte[] bytes) {
    return new Secret(bytes.clone());
  }

  /** Encodes {@code text} as UTF-8. */
  public static Secret of(String text) {
    return new Secret(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Encodes {@code chars} as UTF-8 without creating an intermediate String. */
  public static Secret of(char[] chars) {
    var buffer = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    Arrays.fill(buffer.array(), (byte) 0);
    return new Secret(bytes);
  }

  /** A copy of the value; zero it when done. */
  public byte[] reveal() {
    checkAlive();
    return value.clone();
  }

  /**
   * The value as a String. Strings cannot be zeroed: prefer {@link #reveal()} where the consuming
   * API takes bytes or chars.
   */
  public String revealString() {
    checkAlive();
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The value as UTF-8 decoded chars; zero them when done. */
  public char[] revealChars() {
    checkAlive();
    var buffer = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(value));
    char[] chars = new char[buffer.remaining()];
    buffer.get(chars);
    Arrays.fill(buffer.array(), '\0');
    return chars;
  }

  /** An independent copy: destroying either one leaves the other intact. */
  public Secret copy() {
    checkAlive();
    return new Secret(value.clone());
  }

  /** Length in bytes (not secret: it is visible on the wire anyway). */
  public int length() {
    return value.length;
  }

  public boolean isEmpty() {
    return value.length == 0;
  }

  /** Zeroes the value. Idempotent. */
  public void destroy() {
    destroyed = true;
    Arrays.fill(value, (byte) 0);
  }

  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public void close() {
    destroy();
  }

  private void checkAlive() {
    if (destroyed) {
      throw new IllegalStateException("secret was already destroyed after use");
    }
  }

  /** Constant-time comparison of the values. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Secret that && MessageDigest.isEqual(value, that.value);
  }

  @Override
  public int hashCode() {
    return 0; // the value must not leak through hashing; secrets do not belong in hash keys
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
