package io.secretless.pg;

import io.secretless.config.ConfigError;
import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The backend session pool of a pg service, from {@code config: pool:} ({@code false} turns it off;
 * a mapping overrides the defaults). See docs/pg.md.
 *
 * @param enabled whether authenticated backends are kept for the next client
 * @param maxIdle parked backends kept at most, for the whole service
 * @param idleTimeout a parked backend unused this long is closed
 * @param maxLifetime a backend older than this is closed instead of parked
 * @param resetQuery sent as a simple query before parking; must end in ReadyForQuery idle
 */
record PoolSettings(
    boolean enabled, int maxIdle, Duration idleTimeout, Duration maxLifetime, String resetQuery) {
  static final PoolSettings DEFAULT =
      new PoolSettings(true, 20, Duration.ofSeconds(60), Duration.ofMinutes(30), "DISCARD ALL");
  static final PoolSettings OFF = new PoolSettings(false, 0, Duration.ZERO, Duration.ZERO, "");

  private static final Set<String> KEYS =
      Set.of("maxIdle", "idleTimeout", "maxLifetime", "resetQuery");
  private static final int MAX_IDLE_LIMIT = 10_000;

  /** Reads {@code pool} from a service's {@code config:}; errors carry positions. */
  static PoolSettings from(ConfigTree config) {
    List<ConfigError> errors = new ArrayList<>();
    PoolSettings settings = read(config, errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return settings;
  }

  /** Every problem with {@code pool}, for {@code config check}. */
  static List<ConfigError> validate(ConfigTree config) {
    List<ConfigError> errors = new ArrayList<>();
    read(config, errors);
    return errors;
  }

  private static PoolSettings read(ConfigTree config, List<ConfigError> errors) {
    Optional<Object> value = config.value("pool");
    if (value.isEmpty()) {
      return DEFAULT;
    }
    if (!(value.get() instanceof ConfigTree pool)) {
      try {
        return config.bool("pool", true) ? DEFAULT : OFF;
      } catch (ConfigException e) {
        errors.add(
            new ConfigError(
                config.position("pool"),
                "'pool' must be false, true or a mapping of maxIdle, idleTimeout, maxLifetime,"
                    + " resetQuery"));
        return OFF;
      }
    }
    for (String key : pool.keys()) {
      if (!KEYS.contains(key)) {
        errors.add(
            new ConfigError(
                pool.position(key),
                "unknown pg pool key '"
                    + key
                    + "' (known: maxIdle, idleTimeout, maxLifetime, resetQuery)"));
      }
    }
    try {
      long maxIdle = pool.number("maxIdle").orElse((long) DEFAULT.maxIdle());
      if (maxIdle < 1 || maxIdle > MAX_IDLE_LIMIT) {
        errors.add(
            new ConfigError(
                pool.position("maxIdle"),
                "pool maxIdle must be from 1 to "
                    + MAX_IDLE_LIMIT
                    + ", got "
                    + maxIdle
                    + " (use 'pool: false' to turn pooling off)"));
      }
      Duration idle = positive(pool, "idleTimeout", DEFAULT.idleTimeout(), errors);
      Duration life = positive(pool, "maxLifetime", DEFAULT.maxLifetime(), errors);
      String reset = pool.string("resetQuery").orElse(DEFAULT.resetQuery()).trim();
      if (reset.isEmpty() || reset.indexOf('\0') >= 0) {
        errors.add(
            new ConfigError(
                pool.position("resetQuery"), "pool resetQuery must be a non-empty SQL statement"));
      }
      return new PoolSettings(true, (int) maxIdle, idle, life, reset);
    } catch (ConfigException e) {
      errors.addAll(e.errors());
      return OFF;
    }
  }

  private static Duration positive(
      ConfigTree pool, String key, Duration fallback, List<ConfigError> errors) {
    Duration d = pool.duration(key).orElse(fallback);
    if (d.isZero() || d.isNegative()) {
      errors.add(new ConfigError(pool.position(key), "pool " + key + " must be longer than 0"));
    }
    return d;
  }
}
