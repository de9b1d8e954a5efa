package io.secretless.warehouse.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain over audit records: {@code hash = SHA-256(prevHash, seq, time, agent, action,
 * credentialId, outcome, reason, source, userAgent)}, every field length-prefixed so no two
 * different records serialise alike. The first record's previous hash is 64 zeros.
 */
public final class AuditChain {
  public static final String GENESIS = "0".repeat(64);
  private static final HexFormat HEX = HexFormat.of();

  private AuditChain() {}

  /** The hash of {@code r}: over every field but its own {@code hash}. */
  public static String hash(AuditRecord r) {
    return hash(newDigest(), r);
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** As {@link #hash(AuditRecord)}, reusing {@code digest} (reset here; one thread at a time). */
  static String hash(MessageDigest digest, AuditRecord r) {
    digest.reset();
    update(digest, r.prevHash());
    for (int shift = 56; shift >= 0; shift -= 8) {
      digest.update((byte) (r.seq() >>> shift));
    }
    for (int shift = 56; shift >= 0; shift -= 8) {
      digest.update((byte) (r.atMillis() >>> shift));
    }
    update(digest, r.agent());
    update(digest, r.action());
    update(digest, r.credentialId());
    update(digest, r.outcome());
    update(digest, r.reason());
    update(digest, r.source());
    update(digest, r.userAgent());
    return HEX.formatHex(digest.digest());
  }

  private static void update(MessageDigest digest, String field) {
    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    digest.update((byte) (n >>> 24));
    digest.update((byte) (n >>> 16));
    digest.update((byte) (n >>> 8));
    digest.update((byte) n);
    digest.update(bytes);
  }

  /** The result of checking the chain; {@code firstBrokenSeq} is 0 when it is intact. */
  public record Verification(boolean valid, long records, long firstBrokenSeq, String problem) {
    static Verification ok(long records) {
      return new Verification(true, records, 0, "");
    }

    static Verification broken(long records, long seq, String problem) {
      return new Verification(false, records, seq, problem);
    }
  }
}
