package io.secretless.warehouse.api;

import io.secretless.warehouse.Agent;
import io.secretless.warehouse.Credential;
import io.secretless.warehouse.Expiring;
import io.secretless.warehouse.Grant;
import io.secretless.warehouse.Permission;
import io.secretless.warehouse.Statistics;
import io.secretless.warehouse.audit.AuditRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Wire shapes of the API's responses (snake_case JSON objects), built from domain records. */
final class JsonViews {
  private JsonViews() {}

  static Map<String, Object> credential(Credential c) {
    var m = new LinkedHashMap<String, Object>();
    m.put("id", c.id());
    m.put("name", c.name());
    m.put("type", c.type().orElse(null));
    m.put("tags", c.tags());
    m.put("owner", c.owner());
    m.put("created_at", c.createdAt().toString());
    m.put("updated_at", c.updatedAt().toString());
    m.put("expires_at", time(c.expiresAt()));
    m.put("rotation_interval_days", c.rotationDays());
    m.put("rotation_due_at", c.rotationDueAt().toString());
    m.put("version", c.version());
    m.put("access_count", c.accessCount());
    m.put("last_access", time(c.lastAccess()));
    return m;
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse(null);
  }

  static Map<String, Object> grant(Grant g) {
    var m = new LinkedHashMap<String, Object>();
    m.put("credential_id", g.credentialId());
    m.put("grantee", g.grantee());
    m.put("permissions", g.permissions().stream().map(Permission::wire).sorted().toList());
    m.put("granted_by", g.grantedBy());
    m.put("granted_at", g.at().toString());
    return m;
  }

  static Map<String, Object> expiring(Expiring e) {
    var m = credential(e.credential());
    m.put("reason", e.reason());
    m.put("due_at", e.dueAt().toString());
    return m;
  }

  static Map<String, Object> statistics(Statistics s) {
    var m = new LinkedHashMap<String, Object>();
    m.put("total_credentials", s.credentials());
    m.put("by_type", s.byType());
    m.put("expired", s.expired());
    m.put("total_accesses", s.totalAccesses());
    m.put("grants", s.grants());
    m.put("audit_records", s.auditRecords());
    m.put("key_encryption_keys", s.keyEncryptionKeys());
    return m;
  }

  static Map<String, Object> audit(AuditRecord r) {
    var m = new LinkedHashMap<String, Object>();
    m.put("seq", r.seq());
    m.put("time", Instant.ofEpochMilli(r.atMillis()).toString());
    m.put("agent", r.agent());
    m.put("action", r.action());
    m.put("credential_id", r.credentialId());
    m.put("outcome", r.outcome());
    m.put("reason", r.reason());
    m.put("source", r.source());
    m.put("user_agent", r.userAgent());
    m.put("prev_hash", r.prevHash());
    m.put("hash", r.hash());
    return m;
  }

  static Map<String, Object> agent(Agent a) {
    var m = new LinkedHashMap<String, Object>();
    m.put("id", a.id());
    m.put("roles", a.roles().stream().sorted().toList());
    m.put("created_at", a.createdAt().toString());
    return m;
  }
}
