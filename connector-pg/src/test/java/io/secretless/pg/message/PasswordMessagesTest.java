package io.secretless.pg.message;

import static io.secretless.pg.message.Bytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PasswordMessagesTest {
  @Test
  void passwordMessageIsTaggedNullTerminatedAndHiddenFromToString() {
    PasswordMessage message = new PasswordMessage("hunter2".getBytes());
    assertThat(message.toString()).doesNotContain("hunter2").contains("redacted");
    assertThat(Bytes.encoded(message))
        .isEqualTo(bytes().raw("p").int32(4 + 8).str("hunter2").array());
  }

  @Test
  void passwordMessageZeroesItsCopyOnceEncoded() {
    PasswordMessage message = new PasswordMessage("hunter2".getBytes());
    message.encode(Unpooled.buffer());
    ByteBuf again = Unpooled.buffer();
    message.encode(again);
    assertThat(again.readByte()).isEqualTo((byte) 'p');
    again.skipBytes(4);
    for (int i = 0; i < 7; i++) {
      assertThat(again.readByte()).isZero();
    }
  }

  @Test
  void saslInitialResponseCarriesMechanismAndLengthPrefixedData() {
    byte[] data = "n,,n=*,r=abc".getBytes();
    SASLInitialResponse message = new SASLInitialResponse("SCRAM-SHA-256", data);
    assertThat(Bytes.encoded(message))
        .isEqualTo(
            bytes()
                .raw("p")
                .int32(4 + 14 + 4 + data.length)
                .str("SCRAM-SHA-256")
                .int32(data.length)
                .raw(data)
                .array());
    assertThat(message.toString()).doesNotContain("r=abc");
  }

  @Test
  void saslResponseIsTheRawDataAndHidesTheProof() {
    byte[] data = "c=biws,r=abc,p=proof".getBytes();
    SASLResponse message = new SASLResponse(data);
    assertThat(Bytes.encoded(message))
        .isEqualTo(bytes().raw("p").int32(4 + data.length).raw(data).array());
    assertThat(message.toString()).doesNotContain("proof");
  }

  @Test
  void terminateIsTagAndLength() {
    assertThat(Bytes.encoded(new Terminate())).isEqualTo(bytes().raw("X").int32(4).array());
  }
}
