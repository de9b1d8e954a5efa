package io.secretless.warehouse;

import java.util.Map;

/** Counts over the credentials the caller may see, plus the audit log size. */
public record Statistics(
    long credentials,
    Map<String, Long> byType,
    long expired,
    long totalAccesses,
    long grants,
    long auditRecords,
    int keyEncryptionKeys) {}
