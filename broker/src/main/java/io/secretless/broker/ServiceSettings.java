package io.secretless.broker;

import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.ServiceConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The broker-level settings of a service, read from its {@code config:} mapping (see {@link
 * ServiceConfig#BROKER_CONFIG_KEYS}).
 *
 * @param connectTimeout backend connect timeout ({@code connectTimeout}, default 10 s)
 * @param handshakeTimeout accept-to-relay limit ({@code handshakeTimeout}, default 30 s)
 * @param idleTimeout close a relayed connection silent this long ({@code idleTimeout}, default off)
 * @param maxConnections open client connections allowed ({@code maxConnections}, 0 = no limit)
 * @param socketMode permissions of a unix socket listener ({@code socketMode}, default 0600)
 */
record ServiceSettings(
    Duration connectTimeout,
    Duration handshakeTimeout,
    Optional<Duration> idleTimeout,
    int maxConnections,
    String socketMode) {
  private static final Pattern MODE = Pattern.compile("0?[0-7]{3}");

  static ServiceSettings of(ServiceConfig service) {
    ConfigTree c = service.config();
    String mode = c.string("socketMode").orElse("0600");
    if (!MODE.matcher(mode).matches()) {
      throw new ConfigException(
          c.position("socketMode"), "socketMode must be octal permissions like 0660, got " + mode);
    }
    long max = c.number("maxConnections").orElse(0L);
    if (max < 0 || max > Integer.MAX_VALUE) {
      throw new ConfigException(
          c.position("maxConnections"), "maxConnections must be a positive number, got " + max);
    }
    return new ServiceSettings(
        c.duration("connectTimeout").orElse(Duration.ofSeconds(10)),
        c.duration("handshakeTimeout").orElse(Duration.ofSeconds(30)),
        c.duration("idleTimeout").filter(d -> !d.isZero()),
        (int) max,
        mode.length() == 3 ? "0" + mode : mode);
  }
}
