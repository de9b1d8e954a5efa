package io.secretless.connector;

/** A connector ready to serve the connections of one listener. */
public interface BoundConnector extends AutoCloseable {
  /**
   * Called on the client channel's event loop right after accept, with auto-read off. Must not
   * block: fetch credentials with {@link ConnectorSession#credentials} and continue on the event
   * loop. Must end in {@link ConnectorSession#relay}, {@link ConnectorSession#fail} or, for a
   * connection that needs no relay (a cancel request, an HTTP exchange the connector serves
   * itself), {@link ConnectorSession#complete}.
   *
   * <p>Install your client-side handlers here, before anything else: bytes may arrive without a
   * {@code read()} (epoll reads eagerly when the client half-closes), and client sockets allow
   * half-closure, so a client's end of input arrives as a {@code ChannelInputShutdownEvent} rather
   * than a close.
   */
  void accept(ConnectorSession session);

  /** Releases what {@link Connector#open} built (token refreshers, pools). */
  @Override
  default void close() {}
}
