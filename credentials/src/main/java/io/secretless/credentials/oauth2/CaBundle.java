package io.secretless.credentials.oauth2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities a token endpoint's certificate must chain to, instead of the JDK
 * trust store ({@code ca_bundle: /path/to/ca.pem}). Host names are still verified.
 *
 * @param file where the PEM certificates came from (shown in messages)
 * @param sockets TLS sockets that trust exactly those certificates
 */
public record CaBundle(Path file, SSLSocketFactory sockets) {

  /**
   * Reads every certificate in the PEM file {@code file}.
   *
   * @throws IllegalArgumentException naming the file and the cause when it cannot be read or holds
   *     no certificate
   */
  public static CaBundle load(Path file) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(file)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + " (" + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " is not a PEM certificate bundle");
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert : certs) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      return new CaBundle(file, tls.getSocketFactory());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot build a trust store from " + file, e);
    }
  }

  @Override
  public String toString() {
    return "CaBundle[" + file + "]";
  }
}
