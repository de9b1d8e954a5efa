package io.secretless.warehouse;

import java.time.Instant;

/** A credential that expires, or is due for rotation, within the asked window. */
public record Expiring(Credential credential, String reason, Instant dueAt) {}
