package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header scanners on hand-built bytes, split at every offset (and in single bytes). */
class MessageScannerTest {
  private static byte[] msg(char type, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    int length = body.length + 4;
    out.write(length >>> 24);
    out.write(length >>> 16);
    out.write(length >>> 8);
    out.write(length);
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] msg(char type, String body) {
    return msg(type, (body + "\0").getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static final byte[] QUERY = msg('Q', "select 1");
  private static final byte[] TERMINATE = msg('X', new byte[0]);
  private static final byte[] READY_IDLE = msg('Z', new byte[] {'I'});
  private static final byte[] READY_IN_TX = msg('Z', new byte[] {'T'});
  private static final byte[] ROW = msg('D', new byte[300]); // a DataRow, body bigger than a split
  private static final byte[] COMPLETE = msg('C', "SELECT 1");

  /** Feeds {@code bytes} cut at {@code cuts} through a fresh embedded channel; returns the out. */
  private static byte[] feed(EmbeddedChannel channel, byte[] bytes, int... cuts) {
    int from = 0;
    for (int cut : cuts) {
      if (channel.isOpen()) { // a closed channel reads nothing more
        channel.writeInbound(Unpooled.wrappedBuffer(bytes, from, cut - from));
      }
      from = cut;
    }
    if (channel.isOpen()) {
      channel.writeInbound(Unpooled.wrappedBuffer(bytes, from, bytes.length - from));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuf b; (b = channel.readInbound()) != null; ) {
      out.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
    return out.toByteArray();
  }

  private static List<int[]> everySplit(int length) {
    List<int[]> splits = new ArrayList<>();
    splits.add(new int[0]);
    for (int i = 1; i < length; i++) {
      splits.add(new int[] {i});
    }
    int[] singles = new int[length - 1];
    for (int i = 1; i < length; i++) {
      singles[i - 1] = i;
    }
    splits.add(singles);
    return splits;
  }

  @Test
  void backendIsIdleAfterEveryQueryGotItsReadyForQueryWhateverTheSplits() {
    byte[] client = concat(QUERY, QUERY);
    byte[] server = concat(ROW, COMPLETE, READY_IDLE, ROW, COMPLETE, READY_IDLE);
    for (int[] clientCuts : everySplit(client.length)) {
      for (int[] serverCuts : List.of(new int[0], new int[] {server.length - 1})) {
        SessionState state = new SessionState();
        assertThat(feed(new EmbeddedChannel(new FrontendScanner(state)), client, clientCuts))
            .isEqualTo(client);
        assertThat(state.idle()).isFalse();
        assertThat(feed(new EmbeddedChannel(new BackendScanner(state)), server, serverCuts))
            .isEqualTo(server);
        assertThat(state.idle()).as(state.toString()).isTrue();
      }
    }
  }

  @Test
  void readyForQueryStatusIsReadAcrossEverySplitOfTheBackendStream() {
    byte[] server = concat(ROW, COMPLETE, READY_IDLE, ROW, COMPLETE, READY_IN_TX);
    for (int[] cuts : everySplit(server.length)) {
      SessionState state = new SessionState();
      state.requestSent();
      state.requestSent();
      feed(new EmbeddedChannel(new BackendScanner(state)), server, cuts);
      assertThat(state.idle()).as("cuts %s", java.util.Arrays.toString(cuts)).isFalse();
      state.requestSent();
      feed(new EmbeddedChannel(new BackendScanner(state)), READY_IDLE);
      assertThat(state.idle()).isTrue();
    }
  }

  @Test
  void terminateOnAnIdleSessionIsKeptFromTheBackendAndClosesTheClient() {
    // Sync answered already, then Terminate: the Terminate must not reach the backend.
    byte[] client = concat(msg('S', new byte[0]), TERMINATE, QUERY);
    for (int[] cuts : everySplit(client.length)) {
      SessionState state = new SessionState();
      int syncEnd = 5;
      EmbeddedChannel channel = new EmbeddedChannel(new FrontendScanner(state));
      byte[] sync = java.util.Arrays.copyOf(client, syncEnd);
      byte[] forwardedSync = feed(channel, sync, upTo(cuts, syncEnd));
      assertThat(forwardedSync).isEqualTo(msg('S', new byte[0]));
      new BackendScanner(state).observe(Unpooled.wrappedBuffer(READY_IDLE));
      assertThat(state.idle()).isTrue();
      byte[] rest = java.util.Arrays.copyOfRange(client, syncEnd, client.length);
      assertThat(feed(channel, rest, shift(cuts, syncEnd))).isEmpty();
      assertThat(channel.isOpen()).isFalse();
      assertThat(state.idle()).isTrue();
    }
  }

  @Test
  void bytesBeforeATerminateInTheSameBufferAreForwardedButTheTerminateIsNot() {
    SessionState state = new SessionState();
    EmbeddedChannel channel = new EmbeddedChannel(new FrontendScanner(state));
    byte[] describe = msg('H', new byte[0]); // Flush: harmless, but marks the session unsynced
    assertThat(feed(channel, concat(describe, TERMINATE))).isEqualTo(concat(describe, TERMINATE));
    assertThat(state.idle()).isFalse(); // a Terminate on a busy session goes through
    SessionState idle = new SessionState();
    EmbeddedChannel other = new EmbeddedChannel(new FrontendScanner(idle));
    byte[] copyDone = msg('c', new byte[0]);
    assertThat(feed(other, concat(copyDone, TERMINATE))).isEqualTo(copyDone);
    assertThat(other.isOpen()).isFalse();
  }

  @Test
  void terminateInsideATransactionIsForwarded() {
    SessionState state = new SessionState();
    state.requestSent();
    new BackendScanner(state).observe(Unpooled.wrappedBuffer(READY_IN_TX));
    EmbeddedChannel channel = new EmbeddedChannel(new FrontendScanner(state));
    assertThat(feed(channel, TERMINATE)).isEqualTo(TERMINATE);
    assertThat(channel.isOpen()).isTrue();
    assertThat(state.idle()).isFalse();
  }

  @Test
  void extendedProtocolIsBusyUntilSyncAndItsReadyForQuery() {
    SessionState state = new SessionState();
    FrontendScanner client = new FrontendScanner(state);
    BackendScanner server = new BackendScanner(state);
    client.observe(Unpooled.wrappedBuffer(concat(msg('P', "\0x"), msg('B', "x"), msg('E', "x"))));
    assertThat(state.idle()).isFalse();
    client.observe(Unpooled.wrappedBuffer(msg('S', new byte[0])));
    assertThat(state.idle()).isFalse();
    server.observe(Unpooled.wrappedBuffer(concat(msg('1', new byte[0]), READY_IDLE)));
    assertThat(state.idle()).isTrue();
  }

  @Test
  void malformedLengthOrUnknownMessageMakesTheSessionUnusableForGood() {
    SessionState bad = new SessionState();
    new FrontendScanner(bad).observe(Unpooled.wrappedBuffer(new byte[] {'Q', 0, 0, 0, 3}));
    assertThat(bad.idle()).isFalse();
    SessionState unknown = new SessionState();
    new FrontendScanner(unknown).observe(Unpooled.wrappedBuffer(msg('p', "password")));
    assertThat(unknown.idle()).isFalse();
    SessionState unasked = new SessionState();
    new BackendScanner(unasked).observe(Unpooled.wrappedBuffer(READY_IDLE));
    assertThat(unasked.idle()).isFalse();
  }

  @Test
  void heldBytesWithATerminateMakeTheSessionUnusable() {
    SessionState state = new SessionState();
    new FrontendScanner(state).observe(Unpooled.wrappedBuffer(TERMINATE));
    assertThat(state.idle()).isFalse();
  }

  private static int[] upTo(int[] cuts, int end) {
    return java.util.Arrays.stream(cuts).filter(c -> c < end).toArray();
  }

  private static int[] shift(int[] cuts, int by) {
    return java.util.Arrays.stream(cuts).filter(c -> c > by).map(c -> c - by).toArray();
  }
}
