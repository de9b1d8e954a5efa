package io.secretless.warehouse;

import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.audit.AuditEvent.Outcome;
import io.secretless.warehouse.audit.AuditLog;
import io.secretless.warehouse.crypto.EnvelopeCipher;
import io.secretless.warehouse.store.CredentialStore;
import io.secretless.warehouse.store.Database;
import io.secretless.warehouse.store.GrantStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The credential operations: store, retrieve, get-secret, list, rotate, delete. Access rules are in
 * {@link AccessPolicy}; grants are in {@link Sharing}, expiry and statistics in {@link Reports}.
 * Every call leaves exactly one audit record, allowed or refused; a call whose record cannot be
 * written fails (503) and returns nothing.
 */
public final class Warehouse {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  final Database db;
  final CredentialStore credentials = new CredentialStore();
  final GrantStore grants = new GrantStore();
  final AuditLog audit;
  final EnvelopeCipher cipher;
  final CredentialTypes types;
  final Clock clock;
  private final int keepVersions;
  final Auditor auditor;
  private final ChangeFeed changes;

  public Warehouse(
      Database db,
      AuditLog audit,
      EnvelopeCipher cipher,
      CredentialTypes types,
      Clock clock,
      int keepVersions) {
    this.db = db;
    this.audit = audit;
    this.cipher = cipher;
    this.types = types;
    this.clock = clock;
    this.keepVersions = keepVersions;
    this.auditor = new Auditor(db, audit);
    this.changes = new ChangeFeed(this);
  }

  /** Rotations, deletions and revocations, for brokers that cache values. */
  public ChangeFeed changes() {
    return changes;
  }

  public CredentialTypes types() {
    return types;
  }

  public AuditLog auditLog() {
    return audit;
  }

  /** Encrypts and stores a new credential owned by the caller. */
  public Credential store(Caller caller, NewCredential req) {
    String action = "store";
    try {
      validate(req);
    } catch (WarehouseException e) {
      throw auditor.refuse(caller, action, req.name(), Outcome.INVALID, e);
    }
    Optional<CredentialType> type = req.type().map(t -> types.validate(t, req.data().keySet()));
    LinkedHashSet<String> tags = new LinkedHashSet<>();
    type.ifPresent(t -> tags.addAll(t.defaultTags()));
    tags.addAll(req.tags());
    int days =
        req.rotationDays()
            .orElse(
                (int)
                    type.map(CredentialType::rotationInterval)
                        .orElse(CredentialTypes.UNTYPED_ROTATION)
                        .toDays());
    Instant now = clock.instant();
    var cred =
        new Credential(
            CredentialIds.next(now),
            req.name(),
            req.type(),
            List.copyOf(tags),
            caller.agentId(),
            now,
            now,
            req.expiresAt(),
            days,
            1,
            0,
            Optional.empty());
    String sealed = cipher.seal(cred.id(), 1, req.data());
    return auditor.write(
        caller,
        action,
        req.name(),
        c -> {
          if (credentials.byName(c, req.name()).isPresent()) {
            throw auditor.refuseLater(
                action, ErrorCode.CONFLICT, "a credential named " + req.name() + " already exists");
          }
          credentials.insert(c, cred, sealed);
          audit.append(c, auditor.event(caller, action, cred.id(), Outcome.SUCCESS, req.name()));
          return cred;
        });
  }

  private void validate(NewCredential req) {
    if (req.name() == null || !NAME.matcher(req.name()).matches()) {
      throw WarehouseException.badRequest(
          "credential name must be 1-200 characters of letters, digits and . _ : - (got '"
              + req.name()
              + "')");
    }
    if (req.type().isPresent()) {
      types.validate(req.type().get(), req.data().keySet());
    }
    validateData(req.data());
    for (String tag : req.tags()) {
      if (!TAG.matcher(tag).matches()) {
        throw WarehouseException.badRequest(
            "tag '" + tag + "' must be 1-64 of letters, digits, _.:-");
      }
    }
    if (req.rotationDays().isPresent() && req.rotationDays().get() <= 0) {
      throw WarehouseException.badRequest("rotation_interval_days must be positive");
    }
  }

  private static void validateData(Map<String, String> data) {
    if (data.isEmpty()) {
      throw WarehouseException.badRequest("credential data must hold at least one field");
    }
    for (var e : data.entrySet()) {
      if (!FIELD.matcher(e.getKey()).matches()) {
        throw WarehouseException.badRequest("field name '" + e.getKey() + "' is not allowed");
      }
      if (e.getValue() == null) {
        throw WarehouseException.badRequest("field " + e.getKey() + " has no value");
      }
    }
  }

  /** Finds {@code ref} (id or name) and checks {@code permission}; audits a refusal. */
  Located locate(Caller caller, String action, String ref, Optional<Permission> permission) {
    return locate(caller, action, ref, permission, false);
  }

  /**
   * As {@link #locate(Caller, String, String, Optional)}; with {@code withSealed} the current
   * version's ciphertext is read in the same look-up. Grants are read only when the caller is
   * neither owner nor admin (they decide nothing otherwise), so an owner's or admin's read request
   * is one pool checkout and one statement, a grantee's two.
   */
  private Located locate(
      Caller caller,
      String action,
      String ref,
      Optional<Permission> permission,
      boolean withSealed) {
    Located found =
        db.read(
            c -> {
              Credential k;
              Optional<String> sealed;
              if (withSealed) {
                Optional<CredentialStore.Sealed> s = credentials.byRefWithCiphertext(c, ref);
                if (s.isEmpty()) {
                  return null;
                }
                k = s.get().credential();
                sealed = s.get().ciphertext();
              } else {
                Optional<Credential> cred = credentials.byRef(c, ref);
                if (cred.isEmpty()) {
                  return null;
                }
                k = cred.get();
                sealed = Optional.empty();
              }
              List<Grant> g =
                  AccessPolicy.isOwnerOrAdmin(caller, k)
                      ? List.of()
                      : grants.forCredential(c, k.id());
              return new Located(k, g, sealed);
            });
    if (found == null) {
      throw auditor.refuse(
          caller,
          action,
          ref,
          Outcome.NOT_FOUND,
          WarehouseException.notFound("no credential with id or name " + ref));
    }
    boolean allowed =
        permission
            .map(p -> AccessPolicy.allows(caller, found.cred(), found.grants(), p))
            .orElseGet(() -> AccessPolicy.isOwnerOrAdmin(caller, found.cred()));
    if (!allowed) {
      String need = permission.map(Permission::wire).orElse("owner or admin");
      throw auditor.refuse(
          caller,
          action,
          found.cred().id(),
          Outcome.DENIED,
          WarehouseException.forbidden(
              "agent "
                  + caller.agentId()
                  + " lacks "
                  + need
                  + " on credential "
                  + found.cred().name()));
    }
    return found;
  }

  /**
   * A located credential, its grants (left empty for an owner or admin caller) and (when asked for)
   * its current sealed data.
   */
  record Located(Credential cred, List<Grant> grants, Optional<String> sealed) {}

  /** Decrypts the current version. Refuses an expired credential (410). */
  public Revealed retrieve(Caller caller, String ref) {
    return reveal(caller, "retrieve", ref);
  }

  /**
   * The secret of {@code ref}: for a single-field credential its value alone, otherwise all fields.
   */
  public Revealed secret(Caller caller, String ref) {
    return reveal(caller, "get_secret", ref);
  }

  private Revealed reveal(Caller caller, String action, String ref) {
    Located found = locate(caller, action, ref, Optional.of(Permission.READ), true);
    Credential cred = found.cred();
    Instant now = clock.instant();
    if (cred.isExpired(now)) {
      throw auditor.refuse(
          caller,
          action,
          cred.id(),
          Outcome.EXPIRED,
          new WarehouseException(
              ErrorCode.EXPIRED,
              "credential "
                  + cred.name()
                  + " expired at "
                  + cred.expiresAt().orElseThrow()
                  + "; rotate it to set a new value and expiry"));
    }
    Map<String, String> data = decrypt(caller, action, cred, found.sealed());
    auditor.write(
        caller,
        action,
        cred.id(),
        c -> {
          audit.append(
              c, auditor.event(caller, action, cred.id(), Outcome.SUCCESS, "v" + cred.version()));
          return null;
        });
    db.countAccess(cred.id(), now.toEpochMilli());
    return new Revealed(cred, data);
  }

  private Map<String, String> decrypt(
      Caller caller, String action, Credential cred, Optional<String> stored) {
    String sealed =
        stored.orElseThrow(
            () -> WarehouseException.notFound("credential " + cred.name() + " was deleted"));
    try {
      return cipher.open(cred.id(), cred.version(), sealed);
    } catch (WarehouseException e) {
      throw auditor.refuse(caller, action, cred.id(), Outcome.INTEGRITY_ERROR, e);
    }
  }

  /**
   * Metadata of every credential the caller may read, filtered by tags (all must match) and type.
   */
  public List<Credential> list(Caller caller, List<String> tags, Optional<String> type) {
    List<Credential> visible = Reports.visible(this, caller);
    List<Credential> out = new ArrayList<>();
    for (Credential cred : visible) {
      if (cred.tags().containsAll(tags) && (type.isEmpty() || cred.type().equals(type))) {
        out.add(cred);
      }
    }
    out.sort(Comparator.comparing(Credential::name));
    auditor.record(caller, "list", "*", Outcome.SUCCESS, out.size() + " credentials");
    return out;
  }

  /** Stores new data as the next version; refuses if {@code expectedVersion} is not current. */
  public Credential rotate(Caller caller, String ref, Rotation req) {
    String action = "rotate";
    Credential cred = locate(caller, action, ref, Optional.of(Permission.ROTATE)).cred();
    try {
      validateData(req.data());
      cred.type().ifPresent(t -> types.validate(t, req.data().keySet()));
    } catch (WarehouseException e) {
      throw auditor.refuse(caller, action, cred.id(), Outcome.INVALID, e);
    }
    if (req.expectedVersion().isPresent() && req.expectedVersion().get() != cred.version()) {
      throw auditor.refuse(
          caller,
          action,
          cred.id(),
          Outcome.CONFLICT,
          new WarehouseException(
              ErrorCode.VERSION_MISMATCH,
              "credential "
                  + cred.name()
                  + " is at version "
                  + cred.version()
                  + ", not the expected "
                  + req.expectedVersion().get()));
    }
    int next = cred.version() + 1;
    String sealed = cipher.seal(cred.id(), next, req.data());
    Instant now = clock.instant();
    Optional<Instant> expires = req.expiresAt().or(cred::expiresAt);
    if (req.expiresAt().isEmpty() && cred.expiresAt().isPresent() && cred.isExpired(now)) {
      expires = Optional.empty();
    }
    Optional<Instant> newExpiry = expires;
    Credential rotated =
        auditor.write(
            caller,
            action,
            cred.id(),
            c -> {
              if (!credentials.rotate(c, cred.id(), next, sealed, now, newExpiry, keepVersions)) {
                throw auditor.refuseLater(
                    action,
                    ErrorCode.VERSION_MISMATCH,
                    "credential " + cred.name() + " was rotated concurrently; retry");
              }
              audit.append(
                  c, auditor.event(caller, action, cred.id(), Outcome.SUCCESS, "v" + next));
              return credentials.byId(c, cred.id()).orElseThrow();
            });
    cipher.forget(cred.id());
    changes.changed();
    return rotated;
  }

  /** Deletes the credential and destroys all its encrypted versions (owner or admin only). */
  public void delete(Caller caller, String ref) {
    String action = "delete";
    Credential cred = locate(caller, action, ref, Optional.empty()).cred();
    auditor.write(
        caller,
        action,
        cred.id(),
        c -> {
          if (!credentials.delete(c, cred.id())) {
            throw auditor.refuseLater(
                action, ErrorCode.NOT_FOUND, "credential " + ref + " was already deleted");
          }
          audit.append(c, auditor.event(caller, action, cred.id(), Outcome.SUCCESS, cred.name()));
          return null;
        });
    cipher.forget(cred.id());
    changes.changed();
  }

  Duration window(int days) {
    if (days < 0 || days > 36500) {
      throw WarehouseException.badRequest("days must be between 0 and 36500");
    }
    return Duration.ofDays(days);
  }
}
