package io.secretless.pg;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.secretless.connector.FailureReason;
import io.secretless.core.Secret;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Builds the client-side TLS context toward a backend for its {@link SslMode}. verify-full checks
 * the host name (sslhost, else host) with the HTTPS rules; verify-ca checks the chain only; require
 * checks nothing unless sslrootcert is given (libpq's rule). Contexts are cached under a SHA-256 of
 * their inputs (never the inputs themselves), so connection churn does not parse PEM every time
 * while a rotated certificate still takes effect on the next connection.
 */
final class BackendTls {
  /** Key and context in one value, so that a reader never pairs one context with another's key. */
  private record Cached(String key, SslContext context) {}

  private volatile Cached cached;

  /**
   * The context for these settings, or empty for sslmode=disable. May block: on a cache miss it
   * reads PEM files and builds the context, so call it off the event loop.
   */
  Optional<SslContext> context(BackendSettings settings) {
    if (settings.sslMode() == SslMode.DISABLE) {
      return Optional.empty();
    }
    String key = cacheKey(settings);
    Cached last = cached;
    if (last != null && last.key().equals(key)) {
      return Optional.of(last.context());
    }
    SslContext context = build(settings);
    cached = new Cached(key, context);
    return Optional.of(context);
  }

  /**
   * The context built earlier for these settings if it is still the cached one, without blocking (a
   * hash of values already in memory, never a file read or a build); empty on a miss and for
   * sslmode=disable.
   */
  Optional<SslContext> cachedContext(BackendSettings settings) {
    if (settings.sslMode() == SslMode.DISABLE) {
      return Optional.empty();
    }
    Cached last = cached;
    return last != null && last.key().equals(cacheKey(settings))
        ? Optional.of(last.context())
        : Optional.empty();
  }

  private static SslContext build(BackendSettings settings) {
    SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider());
    byte[] root = null;
    byte[] cert = null;
    byte[] key = null;
    try {
      if (settings.sslRootCert().isPresent()) {
        root = PemSource.read(settings.sslRootCert().get());
        builder.trustManager(PemSource.stream(root));
      } else if (settings.sslMode() == SslMode.REQUIRE) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      if (settings.sslCert().isPresent() && settings.sslKey().isPresent()) {
        cert = PemSource.read(settings.sslCert().get());
        key = PemSource.read(settings.sslKey().get());
        builder.keyManager(PemSource.stream(cert), PemSource.stream(key));
      }
      builder.endpointIdentificationAlgorithm(
          settings.sslMode() == SslMode.VERIFY_FULL ? "HTTPS" : null);
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new PgException(
          FailureReason.CREDENTIALS,
          PgException.CANNOT_CONNECT,
          "cannot build TLS settings toward the backend from sslrootcert/sslcert/sslkey: "
              + describe(e));
    } finally {
      zero(root);
      zero(cert);
      zero(key);
    }
  }

  /** BoringSSL (netty-tcnative) when its native library loads here, else the JDK's TLS. */
  static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  private static String describe(Exception e) {
    if (e instanceof SSLException && e.getCause() != null) {
      return e.getMessage() + " (" + e.getCause().getClass().getSimpleName() + ")";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file " + e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static String cacheKey(BackendSettings settings) {
    if (settings.sslRootCert().isEmpty()
        && settings.sslCert().isEmpty()
        && settings.sslKey().isEmpty()) {
      return settings.sslMode().text(); // nothing secret to hash: the common sslmode=require case
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(settings.sslMode().text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (Optional<Secret> part :
          new Optional[] {settings.sslRootCert(), settings.sslCert(), settings.sslKey()}) {
        sha.update((byte) (part.isPresent() ? 1 : 0));
        if (part.isPresent()) {
          byte[] bytes = part.get().reveal();
          sha.update(bytes);
          sha.update((byte) 0);
          Arrays.fill(bytes, (byte) 0);
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void zero(byte[] bytes) {
    if (bytes != null) {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
