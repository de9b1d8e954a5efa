package io.secretless.pg;

import io.netty.handler.ssl.SslContext;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.Credentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Everything needed to open the backend connection, prepared off the event loop: the settings read
 * from the credentials, the TLS context (PEM parsing) and the resolved address (DNS may block). The
 * credentials stay open until the login is over.
 */
record BackendTarget(
    Credentials credentials,
    BackendSettings settings,
    Optional<SslContext> tls,
    InetSocketAddress address) {

  /** Blocking: call on the connector's blocking executor. Closes the credentials on failure. */
  static BackendTarget prepare(Credentials credentials, BackendTls backendTls) {
    try {
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
    } catch (RuntimeException e) {
      credentials.close();
      throw e;
    }
  }
}
