package io.secretless.pg;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.secretless.pg.message.BackendKeyData;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An authenticated backend connection that may serve several clients in turn, with what a new
 * client must be told instead of a login: the ParameterStatus values (as of the login, updated by
 * the reset) and the backend's real cancel key (which a client never sees). Touched only on the
 * channel's event loop.
 */
final class PooledBackend {
  private final Channel channel;
  private final String key;
  private final BackendKeyData backendKey;
  private final Map<String, String> parameters;
  private final long bornNanos;
  private ScheduledFuture<?> expiry;

  PooledBackend(
      Channel channel, String key, BackendKeyData backendKey, Map<String, String> parameters) {
    this.channel = channel;
    this.key = key;
    this.backendKey = backendKey;
    this.parameters = new LinkedHashMap<>(parameters);
    this.bornNanos = System.nanoTime();
  }

  Channel channel() {
    return channel;
  }

  /** Which clients may use it: see {@link BackendPool#key}. */
  String key() {
    return key;
  }

  BackendKeyData backendKey() {
    return backendKey;
  }

  /** The run-time parameters a new client is sent, in the backend's order. */
  Map<String, String> parameters() {
    return parameters;
  }

  long ageNanos() {
    return System.nanoTime() - bornNanos;
  }

  void expiry(ScheduledFuture<?> timer) {
    this.expiry = timer;
  }

  void cancelExpiry() {
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
  }

  @Override
  public String toString() {
    return "PooledBackend[" + channel + "]"; // never the cancel key
  }
}
