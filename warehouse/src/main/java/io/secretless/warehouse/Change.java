package io.secretless.warehouse;

/**
 * One entry of the change feed: the audit record {@code seq} says that {@code action} (rotate,
 * delete or revoke) succeeded on the credential {@code credentialId}. Never a value or a name.
 */
public record Change(long seq, String credentialId, String action) {}
