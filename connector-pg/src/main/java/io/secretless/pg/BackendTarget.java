package io.secretless.pg;

import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.Credentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything needed to open the backend connection: the settings read from the credentials, the TLS
 * context (PEM parsing) and the resolved address (DNS may block). The credentials stay open until
 * the login is over.
 */
record BackendTarget(
    Credentials credentials,
    BackendSettings settings,
    Optional<SslContext> tls,
    InetSocketAddress address) {

  /** Blocking: call on the connector's blocking executor. Closes the credentials on failure. */
  static BackendTarget prepare(Credentials credentials, BackendTls backendTls) {
    return closingOnFailure(
        credentials,
        () -> {
          BackendSettings settings = BackendSettings.from(credentials);
          Optional<SslContext> tls = backendTls.context(settings);
          InetAddress ip;
          try {
            ip = InetAddress.getByName(settings.host());
          } catch (UnknownHostException e) {
            throw new PgException(
                FailureReason.BACKEND_UNREACHABLE,
                PgException.CANNOT_CONNECT,
                "cannot resolve backend host " + settings.host());
          }
          return new BackendTarget(
              credentials, settings, tls, new InetSocketAddress(ip, settings.port()));
        });
  }

  /**
   * The target if preparing it needs nothing that blocks, so the event loop may call this: the host
   * is an IP address (no DNS) and the TLS context is the cached one (no PEM read or build), or TLS
   * is off. Empty otherwise, with the credentials still open for {@link #prepare} on the blocking
   * executor. Closes the credentials when it fails (invalid settings).
   */
  static Optional<BackendTarget> prepareWithoutBlocking(
      Credentials credentials, BackendTls backendTls) {
    return closingOnFailure(
        credentials,
        () -> {
          BackendSettings settings = BackendSettings.from(credentials);
          Optional<InetAddress> ip = ipLiteral(settings.host());
          Optional<SslContext> tls = backendTls.cachedContext(settings);
          if (ip.isEmpty() || (tls.isEmpty() && settings.sslMode() != SslMode.DISABLE)) {
            return Optional.empty();
          }
          return Optional.of(
              new BackendTarget(
                  credentials, settings, tls, new InetSocketAddress(ip.get(), settings.port())));
        });
  }

  private static <T> T closingOnFailure(Credentials credentials, Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      credentials.close();
      throw e;
    }
  }

  /**
   * The address a literal IPv4 or IPv6 host stands for, parsed without any lookup; empty for a name
   * and for an IPv6 address with a scope ({@code %eth0}), which {@link InetAddress#getByName}
   * keeps.
   */
  private static Optional<InetAddress> ipLiteral(String host) {
    return host.indexOf('%') >= 0
        ? Optional.empty()
        : Optional.ofNullable(NetUtil.createInetAddressFromIpAddressString(host));
  }
}
