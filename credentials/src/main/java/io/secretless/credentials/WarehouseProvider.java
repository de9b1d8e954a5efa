package io.secretless.credentials;

import io.secretless.core.Secret;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code from: warehouse}: a value fetched from the Secretless warehouse with the broker's own
 * client credentials ({@link WarehouseSettings} says where they come from).
 *
 * <p>{@code get: NAME} is a single-field credential's value; {@code get: NAME#field} one field of a
 * multi-field credential (the part after the last {@code #}). NAME may also be the credential's id.
 *
 * <p>By default every {@link #get} asks the warehouse: each connection's fetch is in the
 * warehouse's audit log and a rotation applies to the next connection. With a cache ({@link
 * WarehouseSettings#cache()}) values are served from a {@link ValueCache}: fewer fetches, and new
 * connections outlive a warehouse outage for up to the ttl less the refresh age; a value a backend
 * refuses is dropped by {@link #invalidate}, so the connector's one retry fetches the rotated
 * value. With push on ({@link WarehouseSettings.Cache#push()}) a {@link ChangeWatcher} drops a
 * value as soon as the warehouse reports its credential rotated, deleted or revoked. The access
 * token is cached and renewed by an {@link io.secretless.credentials.oauth2.OAuth2TokenSource}.
 *
 * <p>The environment is read when a broker with a {@code from: warehouse} service starts ({@link
 * #checkSettings}; at the first {@link #get} elsewhere), so a broker without one never needs it. It
 * {@linkplain #blocks() blocks}: each get is an HTTP request.
 */
public final class WarehouseProvider implements CredentialProvider, AutoCloseable {
  private final Supplier<WarehouseSettings> settings;
  private final Object lock = new Object();
  private WarehouseClient client; // guarded by lock
  // Set under lock with the client; read without it, so the event loop never waits for the lock
  // (held while the first get creates the client, which may read the client file).
  private volatile ValueCache cache; // null when values are not cached
  private volatile ChangeWatcher watcher; // null unless values are cached and pushed

  public WarehouseProvider() {
    this(WarehouseSettings::fromEnvironment);
  }

  /** A provider for a given warehouse and client, instead of the environment's. */
  public WarehouseProvider(WarehouseSettings settings) {
    this(() -> settings);
  }

  private WarehouseProvider(Supplier<WarehouseSettings> settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "warehouse";
  }

  @Override
  public Secret get(String id) {
    ValueCache values = cache;
    return values == null ? fetch(id) : values.get(id, this::fetch);
  }

  /**
   * A fresh cached copy when values are cached; never a request. On the event loop: no lock, no
   * parsing of {@code id} unless a re-fetch starts.
   */
  @Override
  public Optional<Secret> getWithoutBlocking(String id) {
    ValueCache values = cache;
    return values == null ? Optional.empty() : values.getIfCached(id, this::fetch);
  }

  private Secret fetch(String id) {
    int hash = id.lastIndexOf('#');
    String name = hash < 0 ? id : id.substring(0, hash);
    String field = hash < 0 ? null : id.substring(hash + 1);
    if (name.isBlank() || (field != null && field.isBlank())) {
      throw new CredentialException(
          "warehouse credential '" + id + "': use get: NAME or get: NAME#field");
    }
    WarehouseClient warehouse = client(); // first: it starts the watcher
    ChangeWatcher push = watcher;
    long seen = push == null ? 0 : push.changesSeen();
    WarehouseClient.Fetched fetched = warehouse.secret(id, name, Optional.ofNullable(field));
    if (push != null) {
      fetched.credentialId().ifPresent(credential -> push.fetched(id, credential, seen));
    }
    return fetched.value();
  }

  /**
   * Reads the environment (and the client file) now, so a wrong or missing setting stops the
   * broker's start; fetches no value. With the cache and push on it starts the {@link
   * ChangeWatcher}, whose first poll of the change feed goes out now.
   */
  @Override
  public void checkSettings() {
    client();
  }

  /** Whether a watcher of the change feed runs now (for tests: none after {@link #close}). */
  boolean pushing() {
    ChangeWatcher push = watcher;
    return push != null && push.running();
  }

  /** Drops the cached value of {@code id}; true when values are cached at all. */
  @Override
  public boolean invalidate(String id) {
    ValueCache values = cache;
    if (values != null) {
      values.invalidate(id);
    }
    return values != null;
  }

  /**
   * The cache's counts once values are cached (from {@link #checkSettings} or the first get on),
   * with whether the change feed answers now when rotations are pushed; else empty.
   */
  @Override
  public Optional<CacheStats> cacheStats() {
    ValueCache values = cache; // set after watcher: a cache seen means its watcher is seen too
    if (values == null) {
      return Optional.empty();
    }
    ChangeWatcher push = watcher;
    return Optional.of(
        values.stats(
            push == null
                ? CacheStats.Push.OFF
                : push.connected() ? CacheStats.Push.CONNECTED : CacheStats.Push.DISCONNECTED));
  }

  @Override
  public boolean blocks() {
    return true;
  }

  private WarehouseClient client() {
    synchronized (lock) {
      if (client == null) {
        WarehouseSettings s = settings.get();
        client = new WarehouseClient(s);
        if (s.cache().on()) {
          ValueCache values =
              new ValueCache(s.cache(), System::nanoTime, Thread.ofVirtual()::start);
          if (s.cache().push()) {
            WarehouseClient c = client;
            watcher =
                new ChangeWatcher(c::changes, values, Thread::sleep, s.url().toString()).start();
          }
          cache = values;
        }
      }
      return client;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (watcher != null) {
        watcher.close();
      }
      if (client != null) {
        client.close();
      }
      if (cache != null) {
        cache.close();
      }
    }
  }
}
