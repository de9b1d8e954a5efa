package io.secretless.warehouse.audit;

import io.secretless.warehouse.store.MultiRow;
import io.secretless.warehouse.store.StatementCache;
import io.secretless.warehouse.store.WriteBatch;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit records of one group-commit batch: chained in memory from the head the batch read (and
 * locked) at its first append, then inserted with a few multi-row statements and one head update
 * just before the batch commits. Writer thread only.
 */
final class PendingRecords implements WriteBatch.Deferred {
  private static final int[] CHUNKS = {64, 16, 4, 1};
  private static final String[] INSERT = new String[CHUNKS.length];

  static {
    for (int i = 0; i < CHUNKS.length; i++) {
      INSERT[i] =
          "INSERT INTO audit_log (seq, at_millis, agent, action, credential_id, outcome, reason,"
              + " source, user_agent, prev_hash, hash) VALUES "
              + MultiRow.placeholders(CHUNKS[i], 11);
    }
  }

  private final MessageDigest digest = AuditChain.newDigest();
  private final List<AuditRecord> records = new ArrayList<>();
  private final long indexed;
  private long seq;
  private String hash;

  /**
   * After the chain head {@code headSeq}/{@code headHash}, with records up to {@code indexed} in
   * {@link AuditIndex}.
   */
  PendingRecords(long headSeq, String headHash, long indexed) {
    this.seq = headSeq;
    this.hash = headHash;
    this.indexed = indexed;
  }

  /** Chains a record of these (already clipped) fields after the last one and keeps it. */
  AuditRecord add(
      long atMillis,
      String agent,
      String action,
      String credentialId,
      String outcome,
      String reason,
      String source,
      String userAgent) {
    long next = seq + 1;
    var r =
        new AuditRecord(
            next,
            atMillis,
            agent,
            action,
            credentialId,
            outcome,
            reason,
            source,
            userAgent,
            hash,
            null);
    r = r.withHash(AuditChain.hash(digest, r));
    records.add(r);
    seq = next;
    hash = r.hash();
    return r;
  }

  @Override
  public void flush(Connection c) throws SQLException {
    int done = 0;
    while (done < records.size()) {
      int k = MultiRow.chunk(records.size() - done, CHUNKS);
      PreparedStatement ps = StatementCache.prepare(c, INSERT[k]);
      int p = 1;
      for (int i = 0; i < CHUNKS[k]; i++) {
        AuditRecord r = records.get(done + i);
        ps.setLong(p++, r.seq());
        ps.setLong(p++, r.atMillis());
        ps.setString(p++, r.agent());
        ps.setString(p++, r.action());
        ps.setString(p++, r.credentialId());
        ps.setString(p++, r.outcome());
        ps.setString(p++, r.reason());
        ps.setString(p++, r.source());
        ps.setString(p++, r.userAgent());
        ps.setString(p++, r.prevHash());
        ps.setString(p++, r.hash());
      }
      ps.executeUpdate();
      done += CHUNKS[k];
    }
    if (!records.isEmpty()) {
      AuditLog.moveHead(c, seq, hash);
      AuditIndex.addIfDue(c, indexed, seq);
    }
    records.clear();
  }
}
