package io.secretless.pg;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.secretless.config.ConfigTree;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.ConnectorException;
import io.secretless.core.Secret;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * TLS between the application and the broker, from the service's {@code config.tls.cert} and {@code
 * config.tls.key} (PEM contents or file paths). Without them the broker answers {@code N} to an
 * SSLRequest, as a server with {@code ssl = off} does.
 */
final class ClientTls {
  private ClientTls() {}

  static Optional<SslContext> from(ServiceConfig service) {
    Optional<ConfigTree> tls = service.config().tree("tls");
    if (tls.isEmpty()) {
      return Optional.empty();
    }
    String where = "service " + service.name() + ": config.tls";
    String cert =
        tls.get()
            .string("cert")
            .orElseThrow(() -> new ConnectorException(where + ".cert is required with tls"));
    String key =
        tls.get()
            .string("key")
            .orElseThrow(() -> new ConnectorException(where + ".key is required with tls"));
    byte[] certPem = null;
    byte[] keyPem = null;
    try (Secret certSecret = Secret.of(cert);
        Secret keySecret = Secret.of(key)) {
      certPem = PemSource.read(certSecret);
      keyPem = PemSource.read(keySecret);
      return Optional.of(
          SslContextBuilder.forServer(PemSource.stream(certPem), PemSource.stream(keyPem))
              .sslProvider(BackendTls.provider())
              .build());
    } catch (IOException | IllegalArgumentException e) {
      String cause =
          e instanceof SSLException && e.getCause() != null
              ? e.getMessage() + " (" + e.getCause().getClass().getSimpleName() + ")"
              : e.getClass().getSimpleName() + ": " + e.getMessage();
      throw new ConnectorException(where + ": cannot load certificate or key: " + cause);
    } finally {
      if (certPem != null) {
        Arrays.fill(certPem, (byte) 0);
      }
      if (keyPem != null) {
        Arrays.fill(keyPem, (byte) 0);
      }
    }
  }
}
