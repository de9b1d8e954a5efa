package io.secretless.broker;

import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.ServiceConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker-level settings of a service, read from its {@code config:} mapping.
 *
 * @param connectTimeout backend connect timeout ({@code connectTimeout}, default 10 s)
 * @param handshakeTimeout accept-to-relay limit ({@code handshakeTimeout}, default 30 s)
 * @param idleTimeout close a relayed connection silent this long ({@code idleTimeout}, default off)
 * @param maxConnections open client connections allowed ({@code maxConnections}, default no limit)
 * @param socketMode permissions of a unix socket listener ({@code socketMode}, default 0600)
 */
record ServiceSettings(
    Duration connectTimeout,
    Duration handshakeTimeout,
    Optional<Duration> idleTimeout,
    int maxConnections,
    String socketMode) {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Pattern MODE = Pattern.compile("0?[0-7]{3}");

  static ServiceSettings of(ServiceConfig service) {
    ConfigTree c = service.config();
    int max = c.string("maxConnections").map(v -> positive(c, "maxConnections", v)).orElse(0);
    String mode = c.string("socketMode").orElse("0600");
    if (!MODE.matcher(mode).matches()) {
      throw new ConfigException(
          c.position("socketMode"), "socketMode must be octal permissions like 0660, got " + mode);
    }
    return new ServiceSettings(
        duration(c, "connectTimeout").orElse(Duration.ofSeconds(10)),
        duration(c, "handshakeTimeout").orElse(Duration.ofSeconds(30)),
        duration(c, "idleTimeout"),
        max,
        mode.length() == 3 ? "0" + mode : mode);
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
  static Optional<Duration> duration(ConfigTree c, String key) {
    return c.string(key)
        .map(
            text -> {
              Matcher m = DURATION.matcher(text.trim());
              if (!m.matches()) {
                throw new ConfigException(
                    c.position(key),
                    key + " must be a duration like 500ms, 10s or 5m, got " + text);
              }
              long n = Long.parseLong(m.group(1));
              return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              };
            });
  }

  private static int positive(ConfigTree c, String key, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new ConfigException(c.position(key), key + " must be a positive number, got " + value);
  }
}
