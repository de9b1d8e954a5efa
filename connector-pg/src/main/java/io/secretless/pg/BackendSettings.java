package io.secretless.pg;

import io.secretless.connector.FailureReason;
import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach and log in to the backend, from a service's credentials (CyberArk's names: host,
 * port or address, username, password, sslmode, sslrootcert, sslcert, sslkey, sslhost). Every other
 * credential becomes a startup parameter ({@code dbname} as {@code database}). The secrets stay
 * owned by the {@link Credentials} they came from, which the connector closes.
 */
record BackendSettings(
    String host,
    int port,
    String username,
    Optional<Secret> password,
    SslMode sslMode,
    Optional<Secret> sslRootCert,
    Optional<Secret> sslCert,
    Optional<Secret> sslKey,
    Optional<String> sslHost,
    Map<String, String> startupParameters) {

  static final int DEFAULT_PORT = 5432;

  /** Credential names that configure the connection rather than the session. */
  static final Set<String> CONNECTION_KEYS =
      Set.of(
          "host",
          "port",
          "address",
          "username",
          "password",
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "sslhost");

  /** Reads the settings; a missing or invalid value is a {@link PgException} (CREDENTIALS). */
  static BackendSettings from(Credentials credentials) {
    String host = credentials.text("host").map(String::trim).orElse("");
    String portText = credentials.text("port").map(String::trim).orElse("");
    Optional<String> address = credentials.text("address").map(String::trim);
    if (address.isPresent() && host.isEmpty()) {
      int colon = address.get().lastIndexOf(':');
      host = colon < 0 ? address.get() : address.get().substring(0, colon);
      portText = colon < 0 ? portText : address.get().substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
    }
    if (host.isEmpty()) {
      throw invalid("credential 'host' (or 'address') is required");
    }
    String username =
        credentials
            .text("username")
            .filter(u -> !u.isEmpty())
            .orElseThrow(() -> invalid("credential 'username' is required"));
    String modeText = credentials.text("sslmode").orElse("require");
    SslMode mode =
        SslMode.parse(modeText)
            .orElseThrow(
                () ->
                    invalid(
                        "credential 'sslmode' is '"
                            + modeText
                            + "', expected disable, require, verify-ca or verify-full"));
    if (credentials.get("sslcert").isPresent() != credentials.get("sslkey").isPresent()) {
      throw invalid("credentials 'sslcert' and 'sslkey' go together: give both or neither");
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String name : credentials.names()) {
      if (!CONNECTION_KEYS.contains(name)) {
        parameters.put(name.equals("dbname") ? "database" : name, credentials.text(name).get());
      }
    }
    return new BackendSettings(
        host,
        port(portText),
        username,
        credentials.get("password"),
        mode,
        credentials.get("sslrootcert"),
        credentials.get("sslcert"),
        credentials.get("sslkey"),
        credentials.text("sslhost").map(String::trim).filter(s -> !s.isEmpty()),
        Map.copyOf(parameters));
  }

  /** {@code host:port} as shown in messages ({@code [::1]:5432} for IPv6). */
  String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static int port(String text) {
    if (text.isEmpty()) {
      return DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(text);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("credential 'port' is '" + text + "', expected a number from 1 to 65535");
  }

  private static PgException invalid(String message) {
    return new PgException(FailureReason.CREDENTIALS, PgException.CANNOT_CONNECT, message);
  }
}
