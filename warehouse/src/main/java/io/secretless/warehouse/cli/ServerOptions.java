package io.secretless.warehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretless.core.Secret;
import io.secretless.warehouse.CredentialType;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.api.TlsMaterial;
import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.token.TrustedIssuer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options of commands that open the store directly: {@code warehouse init} and {@code serve}. */
final class ServerOptions {
  @Option(names = "--data-dir", description = "Data directory (default ./.secretless).")
  Path dataDir = Path.of(".secretless");

  @Option(
      names = "--database",
      description =
          "postgresql://user:pass@host:port/db for shared storage (default: SQLite in the data dir).")
  String database;

  @Option(
      names = "--master-key-file",
      description =
          "Master key file (default DATA_DIR/master.key). Env SECRETLESS_MASTER_KEY (base64) or"
              + " SECRETLESS_MASTER_PASSPHRASE take precedence.")
  Path masterKeyFile;

  @Option(names = "--listen", description = "host:port to serve on (default 127.0.0.1:8200).")
  String listen = "127.0.0.1:" + WarehouseConfig.DEFAULT_PORT;

  @Option(names = "--tls-keystore", description = "PKCS#12 file with certificate and key (HTTPS).")
  Path tlsKeyStore;

  @Option(names = "--tls-cert", description = "PEM certificate chain for HTTPS (with --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key (unencrypted) for HTTPS.")
  Path tlsKey;

  @Option(names = "--tls-password-env", description = "Env var holding the key store password.")
  String tlsPasswordEnv = "SECRETLESS_TLS_PASSWORD";

  @Option(names = "--token-ttl", description = "Access token lifetime in seconds (default 300).")
  long tokenTtlSeconds = 300;

  @Option(names = "--issuer", description = "iss of tokens this node signs (default its URL).")
  String issuer;

  @Option(names = "--no-token-endpoint", description = "Accept only external issuers' tokens.")
  boolean noTokenEndpoint;

  @Option(
      names = "--trust-issuer",
      description = "External issuer to trust (with --trust-jwks-url).")
  String trustIssuer;

  @Option(names = "--trust-audience", description = "Audience required in external tokens.")
  String trustAudience = "secretless-warehouse";

  @Option(names = "--trust-jwks-url", description = "JWKS URL of the external issuer.")
  URI trustJwksUrl;

  @Option(
      names = "--audit-timeout-ms",
      description = "Fail closed when a write/audit record takes longer (default 2000).")
  long auditTimeoutMs = 2000;

  @Option(
      names = "--keep-versions",
      description = "Previous versions a rotation keeps (default 5).")
  int keepVersions = 5;

  @Option(
      names = "--sqlite-synchronous",
      description =
          "SQLite durability: FULL (default; every answered request's audit record is on disk) or"
              + " NORMAL (survives a process crash or kill -9, but the last commits may be lost on"
              + " power loss or an OS crash).")
  String sqliteSync = "FULL";

  @Option(
      names = "--max-connections",
      description =
          "API connections served at once; past it a new connection gets 503 and is closed"
              + " (default 1024).")
  int maxConnections = WarehouseConfig.DEFAULT_MAX_CONNECTIONS;

  @Option(
      names = "--types-file",
      description =
          "JSON list of extra credential types: [{name, required_fields, rotation_interval_days, default_tags}].")
  Path typesFile;

  WarehouseConfig config() {
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      throw new CliException("--listen must be host:port, got " + listen);
    }
    String host = listen.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException("--listen port must be a number, got " + listen);
    }
    List<TrustedIssuer> trusted = new ArrayList<>();
    if (trustIssuer != null || trustJwksUrl != null) {
      if (trustIssuer == null || trustJwksUrl == null) {
        throw new CliException("--trust-issuer and --trust-jwks-url go together");
      }
      trusted.add(new TrustedIssuer(trustIssuer, trustAudience, trustJwksUrl));
    }
    Optional<WarehouseConfig.Tls> tls = Optional.empty();
    if (tlsKeyStore != null && (tlsCert != null || tlsKey != null)) {
      throw new CliException("give --tls-keystore or --tls-cert/--tls-key, not both");
    }
    if (tlsKeyStore != null) {
      String pw = System.getenv(tlsPasswordEnv);
      tls =
          Optional.of(TlsMaterial.pkcs12(tlsKeyStore, pw == null ? new char[0] : pw.toCharArray()));
    } else if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new CliException("--tls-cert and --tls-key go together");
      }
      tls = Optional.of(TlsMaterial.pem(tlsCert, tlsKey));
    }
    return WarehouseConfig.defaults(dataDir)
        .withDatabase(Optional.ofNullable(database))
        .withListen(host, port)
        .withTls(tls)
        .withMasterKey(masterKey())
        .withTokens(
            Duration.ofSeconds(tokenTtlSeconds),
            Optional.ofNullable(issuer),
            !noTokenEndpoint,
            trusted)
        .withLimits(Duration.ofMillis(auditTimeoutMs), keepVersions, types())
        .withSqliteSync(sqliteSync())
        .withMaxConnections(maxConnections());
  }

  private int maxConnections() {
    if (maxConnections < 1) {
      throw new CliException("--max-connections must be at least 1, got " + maxConnections);
    }
    return maxConnections;
  }

  private WarehouseConfig.SqliteSync sqliteSync() {
    try {
      return WarehouseConfig.SqliteSync.valueOf(sqliteSync.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException("--sqlite-synchronous must be FULL or NORMAL, got " + sqliteSync);
    }
  }

  MasterKeySource masterKey() {
    String env = System.getenv("SECRETLESS_MASTER_KEY");
    if (env != null && !env.isBlank()) {
      return new MasterKeySource.Encoded(
          Secret.of(env), "environment variable SECRETLESS_MASTER_KEY");
    }
    String pass = System.getenv("SECRETLESS_MASTER_PASSPHRASE");
    if (pass != null && !pass.isEmpty()) {
      return new MasterKeySource.Passphrase(Secret.of(pass));
    }
    return new MasterKeySource.KeyFile(masterKeyPath());
  }

  Path masterKeyPath() {
    return masterKeyFile != null ? masterKeyFile : dataDir.resolve("master.key");
  }

  private List<CredentialType> types() {
    if (typesFile == null) {
      return List.of();
    }
    try {
      List<CredentialType> out = new ArrayList<>();
      for (JsonNode t : ApiClient.JSON.readTree(Files.readAllBytes(typesFile))) {
        List<String> fields = new ArrayList<>();
        t.path("required_fields").forEach(f -> fields.add(f.asText()));
        List<String> tags = new ArrayList<>();
        t.path("default_tags").forEach(f -> tags.add(f.asText()));
        String name = t.path("name").asText();
        if (name.isEmpty()) {
          throw new CliException(typesFile + ": every type needs a name");
        }
        out.add(
            new CredentialType(
                name, fields, Duration.ofDays(t.path("rotation_interval_days").asInt(90)), tags));
      }
      return out;
    } catch (IOException e) {
      throw new CliException("cannot read types file " + typesFile + ": " + e.getMessage());
    }
  }
}
