package io.secretless.pg;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramException;
import com.ongres.scram.common.util.TlsServerEndpoint;
import io.secretless.connector.FailureReason;
import io.secretless.core.Secret;
import io.secretless.pg.message.AuthenticationSASL;
import io.secretless.pg.message.AuthenticationSASLContinue;
import io.secretless.pg.message.AuthenticationSASLFinal;
import io.secretless.pg.message.SASLInitialResponse;
import io.secretless.pg.message.SASLResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-256-PLUS with {@code tls-server-end-point} channel binding
 * (RFC 5929) when the backend connection uses TLS, on top of the ongres SCRAM client that pgjdbc
 * uses. The broker verifies the server signature: a backend that does not know the password cannot
 * complete the exchange. PostgreSQL takes the user from the StartupMessage, so the SCRAM user name
 * is a placeholder as in pgjdbc.
 *
 * <p>The expensive step, PBKDF2 over the password ({@link #deriveKeys()}), is separate so the
 * caller can run it off the event loop, and its result is cached in a {@link ScramKeyCache}.
 */
final class ScramSha256Auth {
  static final String SCRAM_SHA_256 = "SCRAM-SHA-256";
  static final String SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] NO_KEY = new byte[32];

  private final List<String> mechanisms;
  private final String user;
  private final Secret password;
  private final Optional<byte[]> channelBinding;
  private final String nonce;
  private final ScramKeyCache cache;
  private final ScramClient first;
  private String serverFirst;
  private String cacheId;
  private ScramKeyCache.Keys keys;
  private ScramClient keyed;
  private boolean verified;

  private ScramSha256Auth(
      List<String> mechanisms,
      String user,
      Secret password,
      Optional<byte[]> channelBinding,
      String nonce,
      ScramKeyCache cache) {
    this.mechanisms = mechanisms;
    this.user = user;
    this.password = password;
    this.channelBinding = channelBinding;
    this.nonce = nonce;
    this.cache = cache;
    // Only produces the client-first-message: it never sees the password.
    this.first = client(NO_KEY, NO_KEY);
  }

  /**
   * Starts the exchange for the mechanisms the backend offered; uses {@code -PLUS} when {@code
   * serverCertificate} is present (TLS) and the backend offers it.
   */
  static ScramSha256Auth start(
      AuthenticationSASL offer,
      Secret password,
      Optional<X509Certificate> serverCertificate,
      ScramKeyCache cache) {
    return start(
        offer.mechanisms(),
        "*",
        password,
        serverCertificate,
        Optional.of(ScramFunctions.nonce(24, RANDOM)),
        cache);
  }

  /** For tests with known vectors: a fixed user name and client nonce. */
  static ScramSha256Auth start(
      List<String> mechanisms,
      String user,
      Secret password,
      Optional<X509Certificate> serverCertificate,
      Optional<String> nonce,
      ScramKeyCache cache) {
    if (!mechanisms.contains(SCRAM_SHA_256) && !mechanisms.contains(SCRAM_SHA_256_PLUS)) {
      throw new PgException(
          FailureReason.BACKEND_PROTOCOL,
          PgException.CANNOT_CONNECT,
          "backend offers SASL mechanisms " + mechanisms + ", none of which the broker supports");
    }
    return new ScramSha256Auth(
        List.copyOf(mechanisms),
        user,
        password,
        serverCertificate.map(ScramSha256Auth::channelBinding),
        nonce.orElseGet(() -> ScramFunctions.nonce(24, RANDOM)),
        cache);
  }

  private ScramClient client(byte[] clientKey, byte[] serverKey) {
    var builder =
        ScramClient.builder()
            .advertisedMechanisms(mechanisms)
            .username(user)
            .clientAndServerKey(clientKey, serverKey)
            .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
            .nonceSupplier(() -> nonce);
    channelBinding.ifPresent(
        data -> builder.channelBinding(TlsServerEndpoint.TLS_SERVER_END_POINT, data));
    return builder.build();
  }

  /** The mechanism chosen, e.g. {@code SCRAM-SHA-256-PLUS}. */
  String mechanism() {
    return first.getScramMechanism().getName();
  }

  /** The client-first-message. */
  SASLInitialResponse initialResponse() {
    return new SASLInitialResponse(mechanism(), utf8(first.clientFirstMessage().toString()));
  }

  /**
   * Reads the server-first-message (salt, iteration count); returns whether the keys for it are
   * known already (cached), in which case {@link #clientFinal()} can answer right away.
   */
  boolean serverFirst(AuthenticationSASLContinue message) {
    serverFirst = new String(message.data(), StandardCharsets.UTF_8);
    try {
      ServerFirstMessage parsed = ServerFirstMessage.parseFrom(serverFirst, nonce);
      cacheId = cacheId(parsed.getSalt(), parsed.getIterationCount());
    } catch (ScramException | IllegalArgumentException e) {
      throw failure("invalid SCRAM server-first-message (" + e.getMessage() + ")");
    }
    keys = cache.get(cacheId).orElse(null);
    return keys != null;
  }

  /** PBKDF2 over the password: CPU-heavy, run it off the event loop. Caches the result. */
  void deriveKeys() {
    ServerFirstMessage parsed;
    try {
      parsed = ServerFirstMessage.parseFrom(serverFirst, nonce);
    } catch (ScramException e) {
      throw failure("invalid SCRAM server-first-message (" + e.getMessage() + ")");
    }
    if (parsed.getIterationCount() < 1 || parsed.getIterationCount() > 1_000_000) {
      throw failure("SCRAM iteration count " + parsed.getIterationCount() + " is out of range");
    }
    char[] chars = password.revealChars();
    byte[] salted = null;
    try {
      salted =
          ScramFunctions.saltedPassword(
              ScramMechanism.SCRAM_SHA_256,
              StringPreparation.POSTGRESQL_PREPARATION,
              chars,
              Base64.getDecoder().decode(parsed.getSalt()),
              parsed.getIterationCount());
      keys =
          new ScramKeyCache.Keys(
              ScramFunctions.clientKey(ScramMechanism.SCRAM_SHA_256, salted),
              ScramFunctions.serverKey(ScramMechanism.SCRAM_SHA_256, salted));
      cache.put(cacheId, keys);
    } catch (IllegalArgumentException e) {
      throw failure("invalid SCRAM salt (" + e.getMessage() + ")");
    } finally {
      Arrays.fill(chars, '\0');
      if (salted != null) {
        Arrays.fill(salted, (byte) 0);
      }
    }
  }

  /** The client-final-message with the proof; needs the keys (cached or derived). */
  SASLResponse clientFinal() {
    if (keys == null) {
      throw new IllegalStateException("SCRAM keys not derived yet");
    }
    try {
      keyed = client(keys.clientKey(), keys.serverKey());
      keyed.clientFirstMessage(); // same nonce and header as the one sent: same state
      keyed.serverFirstMessage(serverFirst);
      return new SASLResponse(utf8(keyed.clientFinalMessage().toString()));
    } catch (ScramException | IllegalArgumentException | IllegalStateException e) {
      throw failure("invalid SCRAM server-first-message (" + e.getMessage() + ")");
    }
  }

  /** All of the above in one go (blocking when the keys are not cached). */
  SASLResponse respond(AuthenticationSASLContinue message) {
    if (!serverFirst(message)) {
      deriveKeys();
    }
    return clientFinal();
  }

  /** Checks the server signature in the server-final-message. */
  void verify(AuthenticationSASLFinal serverFinal) {
    if (keyed == null) {
      throw failure("backend sent the SCRAM server-final-message out of order");
    }
    try {
      keyed.serverFinalMessage(new String(serverFinal.data(), StandardCharsets.UTF_8));
      verified = true;
    } catch (ScramException | IllegalArgumentException | IllegalStateException e) {
      throw new PgException(
          FailureReason.BACKEND_AUTH,
          PgException.INVALID_AUTHORIZATION,
          "backend failed SCRAM server verification (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Whether the server proved it knows the password: AuthenticationOk before that is refused. */
  boolean verified() {
    return verified;
  }

  private String cacheId(String salt, int iterations) {
    byte[] secret = password.reveal();
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(secret);
      sha.update((byte) 0);
      sha.update(salt.getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) 0);
      sha.update(Integer.toString(iterations).getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static byte[] channelBinding(X509Certificate certificate) {
    try {
      return TlsServerEndpoint.getChannelBindingData(certificate);
    } catch (CertificateEncodingException | IllegalArgumentException e) {
      throw failure("cannot compute channel binding from the backend certificate: " + e);
    }
  }

  private static PgException failure(String message) {
    return new PgException(FailureReason.BACKEND_PROTOCOL, PgException.PROTOCOL_VIOLATION, message);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
