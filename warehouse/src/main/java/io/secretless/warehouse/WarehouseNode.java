package io.secretless.warehouse;

import io.secretless.warehouse.audit.AuditLog;
import io.secretless.warehouse.crypto.EnvelopeCipher;
import io.secretless.warehouse.crypto.KeyRing;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.store.AgentStore;
import io.secretless.warehouse.store.Database;
import io.secretless.warehouse.store.KeyMaterialStore;
import io.secretless.warehouse.token.ClientRegistry;
import io.secretless.warehouse.token.SigningKey;
import io.secretless.warehouse.token.TokenIssuer;
import io.secretless.warehouse.token.TokenVerifier;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warehouse node's parts, wired together: store, keys, operations, identity. The HTTP API
 * ({@code api.ApiServer}) sits on top; {@code warehouse init} uses a node without it.
 */
public final class WarehouseNode implements AutoCloseable {
  private final Database db;
  private final KeyRing keys;
  private final Warehouse warehouse;
  private final Sharing sharing;
  private final Reports reports;
  private final Rekeying rekeying;
  private final ClientRegistry clients;
  private static final Logger LOG = LoggerFactory.getLogger(WarehouseNode.class);
  private final AuditLog audit;
  private final Optional<TokenIssuer> issuer;
  private final TokenVerifier verifier;

  private WarehouseNode(WarehouseConfig config, String baseUrl, Clock clock) {
    this.db =
        config
            .database()
            .map(url -> Database.postgresql(url, config.writeTimeout(), 10))
            .orElseGet(
                () ->
                    Database.sqlite(config.dataDir(), config.writeTimeout(), config.sqliteSync()));
    try {
      var material = new KeyMaterialStore(db);
      MasterKey master = resolve(config.masterKey(), material);
      this.keys = KeyRing.open(material, master);
      var signing = SigningKey.load(material, master);
      this.audit = new AuditLog(db);
      long indexed = audit.indexAll();
      if (indexed > 0) {
        LOG.info("audit log: indexed {} records by credential and agent", indexed);
      }
      this.warehouse =
          new Warehouse(
              db,
              audit,
              new EnvelopeCipher(keys),
              CredentialTypes.withExtra(config.extraTypes()),
              clock,
              config.keepVersions());
      this.sharing = new Sharing(warehouse);
      this.reports = new Reports(warehouse, keys);
      this.rekeying = new Rekeying(warehouse, keys);
      this.clients = new ClientRegistry(new AgentStore(db), clock);
      this.issuer =
          config.localIssuer()
              ? Optional.of(
                  new TokenIssuer(
                      signing, config.issuer().orElse(baseUrl), config.tokenTtl(), clock))
              : Optional.empty();
      this.verifier = new TokenVerifier(issuer, config.trustedIssuers());
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Opens the store (migrating it), checks the master key, loads keys. */
  public static WarehouseNode open(WarehouseConfig config, String baseUrl) {
    return new WarehouseNode(config, baseUrl, Clock.systemUTC());
  }

  public static WarehouseNode open(WarehouseConfig config, String baseUrl, Clock clock) {
    return new WarehouseNode(config, baseUrl, clock);
  }

  private static MasterKey resolve(MasterKeySource source, KeyMaterialStore material) {
    return switch (source) {
      case MasterKeySource.KeyFile f -> MasterKey.fromFile(f.path());
      case MasterKeySource.Encoded e -> MasterKey.fromBase64(e.key(), e.name());
      case MasterKeySource.Passphrase p -> {
        byte[] fresh = new byte[16];
        new SecureRandom().nextBytes(fresh);
        String salt =
            material
                .get("master_salt")
                .orElseGet(
                    () ->
                        material.putIfAbsent(
                            "master_salt", Base64.getEncoder().encodeToString(fresh)));
        yield MasterKey.fromPassphrase(p.passphrase(), Base64.getDecoder().decode(salt));
      }
    };
  }

  public Database database() {
    return db;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  public Sharing sharing() {
    return sharing;
  }

  public Reports reports() {
    return reports;
  }

  public Rekeying rekeying() {
    return rekeying;
  }

  public ClientRegistry clients() {
    return clients;
  }

  public AuditLog audit() {
    return audit;
  }

  public KeyRing keys() {
    return keys;
  }

  public Optional<TokenIssuer> issuer() {
    return issuer;
  }

  public TokenVerifier verifier() {
    return verifier;
  }

  @Override
  public void close() {
    db.close();
  }
}
