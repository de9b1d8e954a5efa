package io.secretless.connector;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.secretless.config.ServiceConfig;
import io.secretless.credentials.Credentials;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** One accepted client connection, as the broker core hands it to a connector. */
public interface ConnectorSession {
  /** The client channel; auto-read is off, so call {@code read()} to receive. */
  Channel client();

  /**
   * Resolves the service's credentials: on a virtual thread when a provider involved may block
   * ({@link io.secretless.credentials.CredentialProvider#blocks()}), else at once on the calling
   * thread, so the future may already be complete when returned. Either way, continue with {@code
   * whenCompleteAsync(..., client().eventLoop())} (or check {@code inEventLoop()}) before touching
   * the channels. Fails with a {@link java.util.concurrent.CompletionException} around a {@link
   * io.secretless.credentials.CredentialException} whose message names service, credential and
   * provider. Close the {@link Credentials} once the backend handshake is done.
   */
  CompletableFuture<Credentials> credentials(ServiceConfig service);

  /**
   * The backend refused the credentials {@link #credentials} gave (a wrong password, say): drops
   * the copies a caching provider keeps of them. True when one came from such a cache, so that
   * resolving again may give a newer value (a rotation the cache had not seen yet): then retry the
   * login once with fresh credentials, never more. False when nothing is cached (the default): fail
   * as usual.
   */
  default boolean invalidateCredentials(ServiceConfig service) {
    return false;
  }

  /**
   * A bootstrap for the backend connection on the client's event loop, with the service's connect
   * timeout, TCP_NODELAY and auto-read off. Add a handler and connect.
   */
  Bootstrap backend();

  /**
   * Handshake done: the broker relays bytes between client and backend from now on. The backend may
   * belong to another event loop than the client (a pooled backend): the broker then sets up its
   * side of the relay by a task queued on the backend's loop. Remove every handler of yours from
   * both pipelines first (TLS handlers stay), and write any bytes you hold for the other side
   * before calling this.
   */
  default void relay(Channel backend) {
    relay(backend, b -> false);
  }

  /**
   * As {@link #relay(Channel)}, but when the client side ends (it closes, or shuts its output)
   * while the backend is still open, the broker first asks {@code reclaim} on the event loop
   * whether the connector takes the backend back (a session pool). If it returns true, the broker
   * removes its relay handler from the backend on the backend's event loop (right away when that is
   * the client's loop, else as a task queued there: make your own pipeline changes there too, and
   * keep the relay from seeing what you read, e.g. with a handler in front of it), and never
   * touches the backend again: the connector owns it and must eventually close it. If it returns
   * false, the backend is closed or half-closed as usual.
   */
  void relay(Channel backend, Predicate<Channel> reclaim);

  /**
   * The connection failed. Write the protocol's error to the client first (it will be flushed); the
   * broker logs {@code message}, counts it under {@code reason} and closes both channels. {@code
   * message} is shown to operators: name the service and the cause, never a secret.
   */
  void fail(FailureReason reason, String message);

  /** The connection was served without a relay; the broker closes it after pending writes. */
  void complete();
}
