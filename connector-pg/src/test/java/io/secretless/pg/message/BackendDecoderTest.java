package io.secretless.pg.message;

import static io.secretless.pg.message.Bytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.secretless.pg.PgException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendDecoderTest {
  private static BackendMessage decode(byte[] message) {
    EmbeddedChannel channel = new EmbeddedChannel(new BackendDecoder());
    channel.writeInbound(Unpooled.wrappedBuffer(message));
    BackendMessage decoded = channel.readInbound();
    assertThat((Object) channel.readInbound()).isNull();
    return decoded;
  }

  private static byte[] auth(int code, byte[] rest) {
    return bytes().raw("R").int32(8 + rest.length).int32(code).raw(rest).array();
  }

  @Test
  void decodesEveryAuthenticationRequest() {
    assertThat(decode(auth(0, new byte[0]))).isEqualTo(new AuthenticationOk());
    assertThat(decode(auth(3, new byte[0]))).isEqualTo(new AuthenticationCleartextPassword());
    assertThat(((AuthenticationMD5Password) decode(auth(5, new byte[] {1, 2, 3, 4}))).salt())
        .containsExactly(1, 2, 3, 4);
    assertThat(
            decode(
                auth(10, bytes().str("SCRAM-SHA-256-PLUS").str("SCRAM-SHA-256").int8(0).array())))
        .isEqualTo(new AuthenticationSASL(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")));
    assertThat(
            ((AuthenticationSASLContinue) decode(auth(11, "r=abc,s=xyz,i=4096".getBytes()))).data())
        .asString()
        .isEqualTo("r=abc,s=xyz,i=4096");
    assertThat(((AuthenticationSASLFinal) decode(auth(12, "v=sig".getBytes()))).data())
        .asString()
        .isEqualTo("v=sig");
    assertThat(decode(auth(7, new byte[0]))).isEqualTo(new AuthenticationUnsupported(7));
    assertThat(new AuthenticationUnsupported(9).method()).isEqualTo("SSPI");
  }

  @Test
  void authenticationMessagesRoundTrip() {
    for (BackendMessage m :
        List.of(
            new AuthenticationOk(),
            new AuthenticationCleartextPassword(),
            new AuthenticationSASL(List.of("SCRAM-SHA-256")),
            new AuthenticationUnsupported(2))) {
      assertThat(decode(Bytes.encoded(m))).isEqualTo(m);
    }
    assertThat(Bytes.encoded(new AuthenticationMD5Password(new byte[] {9, 8, 7, 6})))
        .isEqualTo(auth(5, new byte[] {9, 8, 7, 6}));
    assertThat(Bytes.encoded(new AuthenticationSASLContinue("x".getBytes())))
        .isEqualTo(auth(11, "x".getBytes()));
    assertThat(Bytes.encoded(new AuthenticationSASLFinal("y".getBytes())))
        .isEqualTo(auth(12, "y".getBytes()));
  }

  @Test
  void decodesParameterStatusBackendKeyDataAndReadyForQuery() {
    assertThat(decode(bytes().raw("S").int32(4 + 9 + 5).str("TimeZone").str("UTC!").array()))
        .isEqualTo(new ParameterStatus("TimeZone", "UTC!"));
    assertThat(decode(bytes().raw("K").int32(12).int32(77).int32(-5).array()))
        .isEqualTo(new BackendKeyData(77, -5));
    assertThat(decode(bytes().raw("Z").int32(5).raw("I").array()))
        .isEqualTo(new ReadyForQuery('I'));
  }

  @Test
  void statusMessagesEncodeAsTheProtocolDefines() {
    assertThat(Bytes.encoded(new ParameterStatus("a", "b")))
        .isEqualTo(bytes().raw("S").int32(8).str("a").str("b").array());
    assertThat(Bytes.encoded(new BackendKeyData(1, 2)))
        .isEqualTo(bytes().raw("K").int32(12).int32(1).int32(2).array());
    assertThat(new BackendKeyData(1, 424242).toString()).doesNotContain("424242");
    assertThat(Bytes.encoded(new ReadyForQuery('T')))
        .isEqualTo(bytes().raw("Z").int32(5).raw("T").array());
    assertThat(Bytes.encoded(SslResponse.YES)).containsExactly('S');
    assertThat(Bytes.encoded(SslResponse.NO)).containsExactly('N');
  }

  @Test
  void decodesErrorAndNoticeFields() {
    byte[] body =
        bytes()
            .raw("S")
            .str("FATAL")
            .raw("C")
            .str("28P01")
            .raw("M")
            .str("password authentication failed")
            .int8(0)
            .array();
    ErrorResponse error =
        (ErrorResponse) decode(bytes().raw("E").int32(4 + body.length).raw(body).array());
    assertThat(error.sqlState()).isEqualTo("28P01");
    assertThat(error.severity()).isEqualTo("FATAL");
    assertThat(error.message()).isEqualTo("password authentication failed");
    NoticeResponse notice =
        (NoticeResponse) decode(bytes().raw("N").int32(4 + body.length).raw(body).array());
    assertThat(notice.fields()).containsEntry('C', "28P01");
    assertThat(Bytes.encoded(notice))
        .isEqualTo(bytes().raw("N").int32(4 + body.length).raw(body).array());
  }

  @Test
  void fatalErrorResponseCarriesSeverityCodeAndMessage() {
    byte[] expected =
        bytes()
            .raw("E")
            .int32(4 + 7 + 7 + 7 + 5 + 1)
            .raw("S")
            .str("FATAL")
            .raw("V")
            .str("FATAL")
            .raw("C")
            .str("08001")
            .raw("M")
            .str("boo")
            .int8(0)
            .array();
    assertThat(Bytes.encoded(ErrorResponse.fatal("08001", "boo"))).isEqualTo(expected);
    assertThat(decode(expected)).isEqualTo(ErrorResponse.fatal("08001", "boo"));
  }

  @Test
  void decodesNegotiateProtocolVersion() {
    byte[] wire = bytes().raw("v").int32(4 + 4 + 4 + 8).int32(0).int32(1).str("_pq_.xy").array();
    assertThat(decode(wire)).isEqualTo(new NegotiateProtocolVersion(0, List.of("_pq_.xy")));
    assertThat(Bytes.encoded(new NegotiateProtocolVersion(0, List.of("_pq_.xy")))).isEqualTo(wire);
  }

  @Test
  void rejectsUnknownTagsBadLengthsAndShortBodies() {
    assertThatThrownBy(() -> BackendDecoder.decodeBody((byte) 'D', Unpooled.buffer()))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("unexpected message type 'D'");
    assertThatThrownBy(() -> BackendDecoder.decodeBody((byte) 'K', bytes().int32(1).buf()))
        .hasMessageContaining("shorter than its content");
    assertThatThrownBy(() -> BackendDecoder.decodeBody((byte) 'Z', bytes().raw("II").buf()))
        .hasMessageContaining("longer than its content");
    assertThatThrownBy(() -> BackendDecoder.decodeBody((byte) 'S', bytes().raw("abc").buf()))
        .hasMessageContaining("terminating zero");
    EmbeddedChannel channel = new EmbeddedChannel(new BackendDecoder());
    assertThatThrownBy(() -> channel.writeInbound(bytes().raw("R").int32(2).int32(0).buf()))
        .hasRootCauseInstanceOf(PgException.class)
        .hasRootCauseMessage("invalid message length 2 for message type 'R'");
  }

  @Test
  void waitsForACompleteMessage() {
    EmbeddedChannel channel = new EmbeddedChannel(new BackendDecoder());
    byte[] ok = auth(0, new byte[0]);
    channel.writeInbound(Unpooled.wrappedBuffer(ok, 0, 6));
    assertThat((Object) channel.readInbound()).isNull();
    channel.writeInbound(Unpooled.wrappedBuffer(ok, 6, ok.length - 6));
    assertThat((Object) channel.readInbound()).isEqualTo(new AuthenticationOk());
  }

  @Test
  void stopsAfterReadyForQueryAndForwardsTheRestWhenRemoved() {
    EmbeddedChannel channel = new EmbeddedChannel(new BackendDecoder());
    byte[] after = bytes().raw("A").int32(8).int32(1).array(); // NotificationResponse start
    channel.writeInbound(bytes().raw("Z").int32(5).raw("I").raw(after).buf());
    assertThat((Object) channel.readInbound()).isEqualTo(new ReadyForQuery('I'));
    assertThat((Object) channel.readInbound()).isNull();
    channel.pipeline().removeFirst();
    ByteBuf rest = channel.readInbound();
    assertThat(ByteBufUtil.getBytes(rest)).isEqualTo(after);
    rest.release();
  }

  @Test
  void errorFieldsAreKeptInOrder() {
    assertThat(ErrorResponse.fatal("28000", "m").fields().keySet())
        .containsExactly('S', 'V', 'C', 'M');
    assertThat(new ErrorResponse(Map.of()).sqlState()).isEqualTo("XX000");
  }
}
