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
 * <p>Every {@link #get} asks the warehouse: values are never cached here, so each connection's
 * fetch is in the warehouse's audit log and a rotation applies to the next connection. The access
 * token is cached and renewed by an {@link io.secretless.credentials.oauth2.OAuth2TokenSource}.
 *
 * <p>The environment is read at the first {@link #get}, so a broker with no {@code from: warehouse}
 * service never needs it. It {@linkplain #blocks() blocks}: each get is an HTTP request.
 */
public final class WarehouseProvider implements CredentialProvider, AutoCloseable {
  private final Supplier<WarehouseSettings> settings;
  private final Object lock = new Object();
  private WarehouseClient client; // guarded by lock

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
    int hash = id.lastIndexOf('#');
    String name = hash < 0 ? id : id.substring(0, hash);
    String field = hash < 0 ? null : id.substring(hash + 1);
    if (name.isBlank() || (field != null && field.isBlank())) {
      throw new CredentialException(
          "warehouse credential '" + id + "': use get: NAME or get: NAME#field");
    }
    return client().secret(id, name, Optional.ofNullable(field));
  }

  @Override
  public boolean blocks() {
    return true;
  }

  private WarehouseClient client() {
    synchronized (lock) {
      if (client == null) {
        client = new WarehouseClient(settings.get());
      }
      return client;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (client != null) {
        client.close();
      }
    }
  }
}
