package io.secretless.pg.message;

import static io.secretless.pg.message.Bytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.secretless.connector.FailureReason;
import io.secretless.pg.PgException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrontendDecoderTest {
  private static byte[] startupBytes() {
    return bytes()
        .int32(
            4 + 4 + "user".length() + 1 + "bob".length() + 1 + "database".length() + 1 + 6 + 1 + 1)
        .int32(196608)
        .str("user")
        .str("bob")
        .str("database")
        .str("appdb1")
        .int8(0)
        .array();
  }

  @Test
  void decodesStartupMessageWithParametersInOrder() {
    byte[] packet = startupBytes();
    assertThat(packet.length).isEqualTo(4 + 4 + 5 + 4 + 9 + 7 + 1);
    var message = FrontendDecoder.decodePacket(bytes().raw(packet).buf());

    assertThat(message).containsInstanceOf(StartupMessage.class);
    StartupMessage startup = (StartupMessage) message.get();
    assertThat(startup.majorVersion()).isEqualTo(3);
    assertThat(startup.minorVersion()).isZero();
    assertThat(startup.parameters())
        .containsExactly(Map.entry("user", "bob"), Map.entry("database", "appdb1"));
  }

  @Test
  void startupMessageEncodesToTheSameBytes() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("user", "bob");
    p.put("database", "appdb1");
    assertThat(Bytes.encoded(new StartupMessage(StartupMessage.PROTOCOL_3_0, p)))
        .isEqualTo(startupBytes());
  }

  @Test
  void decodesSslRequestGssencRequestAndCancelRequest() {
    assertThat(FrontendDecoder.decodePacket(bytes().int32(8).int32(80877103).buf()))
        .contains(new SSLRequest());
    assertThat(FrontendDecoder.decodePacket(bytes().int32(8).int32(80877104).buf()))
        .contains(new GSSENCRequest());
    assertThat(
            FrontendDecoder.decodePacket(
                bytes().int32(16).int32(80877102).int32(4242).int32(-7).buf()))
        .contains(new CancelRequest(4242, -7));
  }

  @Test
  void requestsEncodeAsTheProtocolDefines() {
    assertThat(Bytes.encoded(new SSLRequest())).isEqualTo(bytes().int32(8).int32(80877103).array());
    assertThat(Bytes.encoded(new GSSENCRequest()))
        .isEqualTo(bytes().int32(8).int32(80877104).array());
    assertThat(Bytes.encoded(new CancelRequest(1, 2)))
        .isEqualTo(bytes().int32(16).int32(80877102).int32(1).int32(2).array());
    assertThat(new CancelRequest(1, 99).toString()).doesNotContain("99");
  }

  @Test
  void incompletePacketConsumesNothing() {
    ByteBuf partial = io.netty.buffer.Unpooled.wrappedBuffer(startupBytes(), 0, 10);
    assertThat(FrontendDecoder.decodePacket(partial)).isEmpty();
    assertThat(partial.readerIndex()).isZero();
    assertThat(FrontendDecoder.decodePacket(bytes().int32(8).buf())).isEmpty();
  }

  @Test
  void rejectsLengthsOutsideEightToTenThousand() {
    for (int length : new int[] {-1, 0, 7, 10_001, Integer.MAX_VALUE}) {
      assertThatThrownBy(
              () -> FrontendDecoder.decodePacket(bytes().int32(length).int32(196608).buf()))
          .isInstanceOf(PgException.class)
          .hasMessageContaining("invalid startup packet length " + length)
          .satisfies(e -> assertThat(((PgException) e).sqlState()).isEqualTo("08P01"));
    }
  }

  @Test
  void rejectsUnknownProtocolVersions() {
    assertThatThrownBy(
            () -> FrontendDecoder.decodePacket(bytes().int32(9).int32(0x20000).int8(0).buf()))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("unsupported frontend protocol 2.0");
    assertThatThrownBy(
            () -> FrontendDecoder.decodePacket(bytes().int32(9).int32(1234).int8(0).buf()))
        .hasMessageContaining("unsupported frontend protocol 0.1234");
  }

  @Test
  void rejectsRequestsWithWrongFixedLength() {
    assertThatThrownBy(
            () -> FrontendDecoder.decodePacket(bytes().int32(12).int32(80877103).int32(0).buf()))
        .hasMessageContaining("invalid length");
    assertThatThrownBy(
            () -> FrontendDecoder.decodePacket(bytes().int32(12).int32(80877102).int32(0).buf()))
        .hasMessageContaining("invalid length");
  }

  @Test
  void rejectsStartupWithoutTerminatorOrTrailingBytes() {
    assertThatThrownBy(
            () ->
                FrontendDecoder.decodePacket(
                    bytes().int32(4 + 4 + 4).int32(196608).raw("user").buf()))
        .hasMessageContaining("invalid startup packet layout");
    assertThatThrownBy(
            () ->
                FrontendDecoder.decodePacket(
                    bytes().int32(4 + 4 + 1 + 2).int32(196608).int8(0).raw("xx").buf()))
        .hasMessageContaining("bytes after the terminator");
  }

  @Test
  void decoderStopsAfterStartupAndForwardsPipelinedBytesWhenRemoved() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrontendDecoder());
    byte[] query = bytes().raw("Q").int32(13).str("SELECT 1").array();
    channel.writeInbound(bytes().raw(startupBytes()).raw(query).buf());

    assertThat((Object) channel.readInbound()).isInstanceOf(StartupMessage.class);
    assertThat((Object) channel.readInbound()).isNull();
    channel.pipeline().removeFirst();
    ByteBuf rest = channel.readInbound();
    assertThat(ByteBufUtil.getBytes(rest)).isEqualTo(query);
    rest.release();
  }

  @Test
  void decoderDeliversPacketsReadTogetherInOrder() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrontendDecoder());
    channel.writeInbound(bytes().int32(8).int32(80877103).raw(startupBytes()).buf());
    assertThat((Object) channel.readInbound()).isEqualTo(new SSLRequest());
    assertThat((Object) channel.readInbound()).isInstanceOf(StartupMessage.class);
  }

  @Test
  void malformedPacketReachesTheNextHandlerAsClientProtocolError() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrontendDecoder());
    assertThatThrownBy(() -> channel.writeInbound(bytes().int32(3).int32(0).buf()))
        .isInstanceOf(DecoderException.class)
        .cause()
        .isInstanceOf(PgException.class)
        .satisfies(
            e -> assertThat(((PgException) e).reason()).isEqualTo(FailureReason.CLIENT_PROTOCOL));
  }
}
