package io.secretless.pg;

import com.ongres.scram.client.ScramClient;
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
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-256-PLUS with {@code tls-server-end-point} channel binding
 * (RFC 5929) when the backend connection uses TLS, on top of the ongres SCRAM client that pgjdbc
 * uses. The broker verifies the server signature: a backend that does not know the password cannot
 * complete the exchange. PostgreSQL takes the user from the StartupMessage, so the SCRAM user name
 * is a placeholder as in pgjdbc.
 */
final class ScramSha256Auth {
  static final String SCRAM_SHA_256 = "SCRAM-SHA-256";
  static final String SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS";

  private final ScramClient client;
  private boolean verified;

  private ScramSha256Auth(ScramClient client) {
    this.client = client;
  }

  /**
   * Starts the exchange for the mechanisms the backend offered; uses {@code -PLUS} when {@code
   * serverCertificate} is present (TLS) and the backend offers it.
   */
  static ScramSha256Auth start(
      AuthenticationSASL offer, Secret password, Optional<X509Certificate> serverCertificate) {
    return start(offer.mechanisms(), "*", password, serverCertificate, Optional.empty());
  }

  /** For tests with known vectors: a fixed user name and client nonce. */
  static ScramSha256Auth start(
      List<String> mechanisms,
      String user,
      Secret password,
      Optional<X509Certificate> serverCertificate,
      Optional<Supplier<String>> nonce) {
    if (!mechanisms.contains(SCRAM_SHA_256) && !mechanisms.contains(SCRAM_SHA_256_PLUS)) {
      throw new PgException(
          FailureReason.BACKEND_PROTOCOL,
          PgException.CANNOT_CONNECT,
          "backend offers SASL mechanisms " + mechanisms + ", none of which the broker supports");
    }
    char[] chars = password.revealChars();
    try {
      var builder =
          ScramClient.builder()
              .advertisedMechanisms(mechanisms)
              .username(user)
              .password(chars)
              .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION);
      if (serverCertificate.isPresent()) {
        builder.channelBinding(
            TlsServerEndpoint.TLS_SERVER_END_POINT, channelBinding(serverCertificate.get()));
      }
      nonce.ifPresent(builder::nonceSupplier);
      return new ScramSha256Auth(builder.build());
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /** The mechanism chosen, e.g. {@code SCRAM-SHA-256-PLUS}. */
  String mechanism() {
    return client.getScramMechanism().getName();
  }

  /** The client-first-message. */
  SASLInitialResponse initialResponse() {
    return new SASLInitialResponse(mechanism(), ascii(client.clientFirstMessage().toString()));
  }

  /** Reads the server-first-message, returns the client-final-message with the proof. */
  SASLResponse respond(AuthenticationSASLContinue serverFirst) {
    try {
      client.serverFirstMessage(new String(serverFirst.data(), StandardCharsets.UTF_8));
      return new SASLResponse(ascii(client.clientFinalMessage().toString()));
    } catch (ScramException | IllegalArgumentException | IllegalStateException e) {
      throw failure("invalid SCRAM server-first-message (" + e.getMessage() + ")");
    }
  }

  /** Checks the server signature in the server-final-message. */
  void verify(AuthenticationSASLFinal serverFinal) {
    try {
      client.serverFinalMessage(new String(serverFinal.data(), StandardCharsets.UTF_8));
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

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
