package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.secretless.core.Secret;
import io.secretless.pg.message.AuthenticationSASLContinue;
import io.secretless.pg.message.AuthenticationSASLFinal;
import io.secretless.pg.message.FrontendMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthMethodsTest {
  private static String body(FrontendMessage message, int skip) {
    ByteBuf out = Unpooled.buffer();
    message.encode(out);
    out.skipBytes(5 + skip);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void md5ResponseMatchesPostgresqlFormula() {
    // md5(md5hex(password + user) + salt), computed independently with Python's hashlib.
    var message =
        Md5PasswordAuth.respond(
            "app",
            Secret.of("s3cret"),
            new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
    assertThat(body(message, 0)).isEqualTo("md5cdd3b56de8674e6ed2e779cd02f26f7e\0");
  }

  @Test
  void cleartextResponseIsThePasswordNullTerminated() {
    assertThat(body(CleartextPasswordAuth.respond(Secret.of("pässword")), 0))
        .isEqualTo("pässword\0");
  }

  @Test
  void scramFollowsTheRfc7677TestVector() {
    // RFC 7677 section 3: user "user", password "pencil".
    ScramSha256Auth scram =
        ScramSha256Auth.start(
            List.of("SCRAM-SHA-256"),
            "user",
            Secret.of("pencil"),
            Optional.empty(),
            Optional.of("rOprNGfwEbeRWgbNEkqO"),
            new ScramKeyCache());
    assertThat(scram.mechanism()).isEqualTo("SCRAM-SHA-256");

    var first = scram.initialResponse();
    assertThat(first.mechanism()).isEqualTo("SCRAM-SHA-256");
    assertThat(new String(first.data(), StandardCharsets.UTF_8))
        .isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");

    var last =
        scram.respond(
            new AuthenticationSASLContinue(
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
                    .getBytes(StandardCharsets.UTF_8)));
    assertThat(new String(last.data(), StandardCharsets.UTF_8))
        .isEqualTo(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");

    assertThat(scram.verified()).isFalse();
    scram.verify(
        new AuthenticationSASLFinal(
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(StandardCharsets.UTF_8)));
    assertThat(scram.verified()).isTrue();
  }

  @Test
  void secondScramExchangeUsesCachedKeysAndGivesTheSameProof() {
    ScramKeyCache cache = new ScramKeyCache();
    String serverFirst =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    String[] proofs = new String[2];
    for (int i = 0; i < 2; i++) {
      ScramSha256Auth scram =
          ScramSha256Auth.start(
              List.of("SCRAM-SHA-256"),
              "user",
              Secret.of("pencil"),
              Optional.empty(),
              Optional.of("rOprNGfwEbeRWgbNEkqO"),
              cache);
      scram.initialResponse();
      boolean cached =
          scram.serverFirst(
              new AuthenticationSASLContinue(serverFirst.getBytes(StandardCharsets.UTF_8)));
      assertThat(cached).isEqualTo(i == 1);
      if (!cached) {
        scram.deriveKeys();
      }
      proofs[i] = new String(scram.clientFinal().data(), StandardCharsets.UTF_8);
    }
    assertThat(proofs[1])
        .isEqualTo(proofs[0])
        .endsWith("p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    assertThat(cache.size()).isEqualTo(1);

    ScramSha256Auth otherPassword =
        ScramSha256Auth.start(
            List.of("SCRAM-SHA-256"),
            "user",
            Secret.of("pencil2"),
            Optional.empty(),
            Optional.of("rOprNGfwEbeRWgbNEkqO"),
            cache);
    otherPassword.initialResponse();
    assertThat(
            otherPassword.serverFirst(
                new AuthenticationSASLContinue(serverFirst.getBytes(StandardCharsets.UTF_8))))
        .isFalse();
  }

  @Test
  void scramRefusesAServerThatDoesNotKnowThePassword() {
    ScramSha256Auth scram =
        ScramSha256Auth.start(
            List.of("SCRAM-SHA-256"),
            "user",
            Secret.of("pencil"),
            Optional.empty(),
            Optional.of("rOprNGfwEbeRWgbNEkqO"),
            new ScramKeyCache());
    scram.initialResponse();
    scram.respond(
        new AuthenticationSASLContinue(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
                .getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(
            () ->
                scram.verify(
                    new AuthenticationSASLFinal(
                        "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
                            .getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("SCRAM server verification")
        .hasMessageNotContaining("pencil");
    assertThat(scram.verified()).isFalse();
  }

  @Test
  void scramRejectsBackendsOfferingOnlyUnknownMechanisms() {
    assertThatThrownBy(
            () ->
                ScramSha256Auth.start(
                    List.of("SCRAM-SHA-1"),
                    "*",
                    Secret.of("x"),
                    Optional.empty(),
                    Optional.empty(),
                    new ScramKeyCache()))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("[SCRAM-SHA-1]");
  }
}
