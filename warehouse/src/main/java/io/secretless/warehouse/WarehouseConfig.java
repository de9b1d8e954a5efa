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
    long maxRequestBytes) {

  public static final int DEFAULT_PORT = 8200;

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
        64 * 1024);
  }

  public WarehouseConfig withDatabase(Optional<String> url) {
    return new WarehouseConfig(
        dataDir,
        url,
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
        maxRequestBytes);
  }

  public WarehouseConfig withListen(String newHost, int newPort) {
    return new WarehouseConfig(
        dataDir,
        database,
        newHost,
        newPort,
        tls,
        masterKey,
        tokenTtl,
        issuer,
        localIssuer,
        trustedIssuers,
        writeTimeout,
        keepVersions,
        extraTypes,
        maxRequestBytes);
  }

  public WarehouseConfig withMasterKey(MasterKeySource source) {
    return new WarehouseConfig(
        dataDir,
        database,
        host,
        port,
        tls,
        source,
        tokenTtl,
        issuer,
        localIssuer,
        trustedIssuers,
        writeTimeout,
        keepVersions,
        extraTypes,
        maxRequestBytes);
  }

  public WarehouseConfig withTls(Optional<Tls> newTls) {
    return new WarehouseConfig(
        dataDir,
        database,
        host,
        port,
        newTls,
        masterKey,
        tokenTtl,
        issuer,
        localIssuer,
        trustedIssuers,
        writeTimeout,
        keepVersions,
        extraTypes,
        maxRequestBytes);
  }

  public WarehouseConfig withTokens(
      Duration ttl, Optional<String> newIssuer, boolean local, List<TrustedIssuer> trusted) {
    return new WarehouseConfig(
        dataDir,
        database,
        host,
        port,
        tls,
        masterKey,
        ttl,
        newIssuer,
        local,
        trusted,
        writeTimeout,
        keepVersions,
        extraTypes,
        maxRequestBytes);
  }

  public WarehouseConfig withLimits(Duration timeout, int keep, List<CredentialType> types) {
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
        timeout,
        keep,
        types,
        maxRequestBytes);
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8200}. */
  public String baseUrl(int boundPort) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return (tls.isPresent() ? "https://" : "http://") + h + ":" + boundPort;
  }
}
