package io.secretless.warehouse.api;

import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Loads the API's HTTPS certificate and key: a PKCS#12 key store, or a PEM certificate chain plus
 * an unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC), put into an in-memory key store.
 * Errors name the file, never key material.
 */
public final class TlsMaterial {
  private TlsMaterial() {}

  public static WarehouseConfig.Tls pkcs12(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return new WarehouseConfig.Tls(ks, password, "PKCS#12 " + file);
    } catch (IOException | GeneralSecurityException e) {
      throw WarehouseException.badRequest(
          "cannot load TLS key store "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ": wrong password or not PKCS#12?)");
    }
  }

  public static WarehouseConfig.Tls pem(Path certFile, Path keyFile) {
    Certificate[] chain;
    try (InputStream in = Files.newInputStream(certFile)) {
      chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(in)
              .toArray(Certificate[]::new);
    } catch (IOException | GeneralSecurityException e) {
      throw WarehouseException.badRequest(
          "cannot read PEM certificate " + certFile + ": " + e.getMessage());
    }
    if (chain.length == 0) {
      throw WarehouseException.badRequest("no certificate in " + certFile);
    }
    PrivateKey key = privateKey(keyFile);
    try {
      byte[] raw = new byte[24];
      new SecureRandom().nextBytes(raw);
      char[] password = Base64.getEncoder().encodeToString(raw).toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("warehouse", key, password, chain);
      return new WarehouseConfig.Tls(ks, password, "PEM " + certFile + " + " + keyFile);
    } catch (IOException | GeneralSecurityException e) {
      throw WarehouseException.badRequest(
          "the key in "
              + keyFile
              + " does not fit the certificate in "
              + certFile
              + ": "
              + e.getMessage());
    }
  }

  /** A server SSLContext over the configured key store. */
  static javax.net.ssl.SSLContext sslContext(WarehouseConfig.Tls tls) {
    try {
      var kmf =
          javax.net.ssl.KeyManagerFactory.getInstance(
              javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(tls.keyStore(), tls.password());
      var context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw WarehouseException.badRequest(
          "unusable TLS key from " + tls.source() + ": " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(Path keyFile) {
    try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object pem = parser.readObject();
      var converter = new JcaPEMKeyConverter();
      return switch (pem) {
        case PEMKeyPair pair -> converter.getPrivateKey(pair.getPrivateKeyInfo());
        case PrivateKeyInfo info -> converter.getPrivateKey(info);
        case null, default ->
            throw WarehouseException.badRequest(
                keyFile + " holds no unencrypted PEM private key (PKCS#8, RSA or EC)");
      };
    } catch (IOException e) {
      throw WarehouseException.badRequest(
          "cannot read PEM private key " + keyFile + ": " + e.getMessage());
    }
  }
}
