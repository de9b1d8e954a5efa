package io.secretless.warehouse;

import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.token.TrustedIssuer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything a warehouse node needs to start.
 *
 * @param database a PostgreSQL URL; empty means SQLite under {@code dataDir}
 * @param tls certificate and key for HTTPS; empty means plain HTTP
 * @param issuer the {@code iss} of tokens this node signs; empty means its own base URL
 * @param localIssuer whether this node runs its own token endpoint
 * @param writeTimeout bound on any write, including the audit record (fail closed after it)
 * @param keepVersions how many previous versions a rotation keeps
 * @param sqliteSync SQLite's {@code synchronous} setting (FULL by default: every acknowledged
 *     write, including every read's audit record, is on disk before the answer)
 * @param maxConnections API connections served at once; past it a new connection gets 503 and is
 *     closed (bounds the sockets and memory a flood of idle connections can take)
 */
public record WarehouseConfig(
    Path dataDir,
    Optional<String> database,
    String host,
    int port,
    Optional<Tls> tls,
    MasterKeySource masterKey,
    Duration tokenTtl,
    Optional<String> issuer,
    boolean localIssuer,
    List<TrustedIssuer> trustedIssuers,
    Duration writeTimeout,
    int keepVersions,
    List<CredentialType> extraTypes,
    long maxRequestBytes,
    SqliteSync sqliteSync,
    int maxConnections) {

  public static final int DEFAULT_PORT = 8200;
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  /**
   * SQLite's durability setting (the store runs in WAL mode either way). {@code FULL}, the default,
   * syncs the WAL on every commit: an acknowledged write survives a crash of the process, the
   * operating system or the power. {@code NORMAL} syncs only at checkpoints: an acknowledged write
   * survives a crash or {@code kill -9} of the warehouse process, but the last commits (including
   * audit records of answered reads) may be lost on a power failure or OS crash. The audit chain
   * stays consistent either way.
   */
  public enum SqliteSync {
    FULL,
    NORMAL
  }

  /**
   * HTTPS settings: a loaded key store with the certificate chain and private key (see {@code
   * api.TlsMaterial} for loading PKCS#12 or PEM files), its password, and where it came from.
   */
  public record Tls(java.security.KeyStore keyStore, char[] password, String source) {
    @Override
    public String toString() {
      return "Tls[" + source + "]";
    }
  }

  public WarehouseConfig {
    trustedIssuers = List.copyOf(trustedIssuers);
    extraTypes = List.copyOf(extraTypes);
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "maxConnections must be at least 1, got " + maxConnections);
    }
  }

  /** Defaults: SQLite under {@code dataDir}, 127.0.0.1:8200, key file, 5-minute tokens. */
  public static WarehouseConfig defaults(Path dataDir) {
    return new WarehouseConfig(
        dataDir,
        Optional.empty(),
        "127.0.0.1",
        DEFAULT_PORT,
        Optional.empty(),
        new MasterKeySource.KeyFile(dataDir.resolve("master.key")),
        Duration.ofMinutes(5),
        Optional.empty(),
        true,
        List.of(),
        Duration.ofSeconds(2),
        5,
        List.of(),
        64 * 1024,
        SqliteSync.FULL,
        DEFAULT_MAX_CONNECTIONS);
  }

  public WarehouseConfig withDatabase(Optional<String> url) {
    Copy c = new Copy(this);
    c.database = url;
    return c.build();
  }

  public WarehouseConfig withListen(String newHost, int newPort) {
    Copy c = new Copy(this);
    c.host = newHost;
    c.port = newPort;
    return c.build();
  }

  public WarehouseConfig withMasterKey(MasterKeySource source) {
    Copy c = new Copy(this);
    c.masterKey = source;
    return c.build();
  }

  public WarehouseConfig withTls(Optional<Tls> newTls) {
    Copy c = new Copy(this);
    c.tls = newTls;
    return c.build();
  }

  public WarehouseConfig withTokens(
      Duration ttl, Optional<String> newIssuer, boolean local, List<TrustedIssuer> trusted) {
    Copy c = new Copy(this);
    c.tokenTtl = ttl;
    c.issuer = newIssuer;
    c.localIssuer = local;
    c.trustedIssuers = trusted;
    return c.build();
  }

  public WarehouseConfig withLimits(Duration timeout, int keep, List<CredentialType> types) {
    Copy c = new Copy(this);
    c.writeTimeout = timeout;
    c.keepVersions = keep;
    c.extraTypes = types;
    return c.build();
  }

  public WarehouseConfig withSqliteSync(SqliteSync sync) {
    Copy c = new Copy(this);
    c.sqliteSync = sync;
    return c.build();
  }

  public WarehouseConfig withMaxConnections(int max) {
    Copy c = new Copy(this);
    c.maxConnections = max;
    return c.build();
  }

  /** A mutable copy for the {@code with...} methods: each changes its fields and builds. */
  private static final class Copy {
    private final Path dataDir;
    private Optional<String> database;
    private String host;
    private int port;
    private Optional<Tls> tls;
    private MasterKeySource masterKey;
    private Duration tokenTtl;
    private Optional<String> issuer;
    private boolean localIssuer;
    private List<TrustedIssuer> trustedIssuers;
    private Duration writeTimeout;
    private int keepVersions;
    private List<CredentialType> extraTypes;
    private final long maxRequestBytes;
    private SqliteSync sqliteSync;
    private int maxConnections;

    Copy(WarehouseConfig c) {
      dataDir = c.dataDir;
      database = c.database;
      host = c.host;
      port = c.port;
      tls = c.tls;
      masterKey = c.masterKey;
      tokenTtl = c.tokenTtl;
      issuer = c.issuer;
      localIssuer = c.localIssuer;
      trustedIssuers = c.trustedIssuers;
      writeTimeout = c.writeTimeout;
      keepVersions = c.keepVersions;
      extraTypes = c.extraTypes;
      maxRequestBytes = c.maxRequestBytes;
      sqliteSync = c.sqliteSync;
      maxConnections = c.maxConnections;
    }

    WarehouseConfig build() {
      return new WarehouseConfig(
          dataDir,
          database,
          host,
          port,
          tls,
          masterKey,
          tokenTtl,
          issuer,
          localIssuer,
          trustedIssuers,
          writeTimeout,
          keepVersions,
          extraTypes,
          maxRequestBytes,
          sqliteSync,
          maxConnections);
    }
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8200}. */
  public String baseUrl(int boundPort) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return (tls.isPresent() ? "https://" : "http://") + h + ":" + boundPort;
  }
}
