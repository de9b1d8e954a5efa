package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.secretless.pg.message.AuthenticationOk;
import io.secretless.pg.message.BackendKeyData;
import io.secretless.pg.message.ParameterStatus;
import java.util.Collections;
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
  private byte[] greeting;

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
    return Collections.unmodifiableMap(parameters);
  }

  /** A ParameterStatus the reset reported: the next client is told the new value. */
  void parameter(String name, String value) {
    if (!value.equals(parameters.put(name, value))) {
      greeting = null;
    }
  }

  /**
   * AuthenticationOk and the ParameterStatus messages, encoded once and reused for every client
   * this backend serves (they change only when a reset reports a new value): each reuse then costs
   * one copy instead of encoding a dozen messages. The client's own BackendKeyData and
   * ReadyForQuery follow them.
   */
  byte[] greeting() {
    byte[] bytes = greeting;
    if (bytes == null) {
      ByteBuf out = Unpooled.buffer(256);
      new AuthenticationOk().encode(out);
      parameters.forEach((name, value) -> new ParameterStatus(name, value).encode(out));
      bytes = ByteBufUtil.getBytes(out);
      greeting = bytes;
    }
    return bytes;
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
