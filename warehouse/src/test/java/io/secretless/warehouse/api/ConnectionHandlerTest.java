package io.secretless.warehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Backpressure on one connection, without sockets: the client reading its responses or not. */
class ConnectionHandlerTest {
  private final EmbeddedChannel ch = channel();

  private static EmbeddedChannel channel() {
    var router = new Router();
    router.get("/n/{n}", ex -> ex.json(Map.of("n", ex.pathParam("n"))));
    return new EmbeddedChannel(
        new ConnectionHandler(new Dispatcher(router), Runnable::run, new ObjectMapper(), 1024));
  }

  @AfterEach
  void close() {
    ch.finishAndReleaseAll();
  }

  private void pipeline(int count) {
    for (int i = 0; i < count; i++) {
      var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/n/" + i);
      ch.writeInbound(new RequestAssembler.Incoming.Request(request));
    }
    ch.runPendingTasks();
  }

  /** Sets whether the client reads its responses (the channel is writable). */
  private void clientReads(boolean reads) {
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, reads);
    ch.runPendingTasks();
  }

  private List<String> responses() {
    var out = new ArrayList<String>();
    for (FullHttpResponse r = ch.readOutbound(); r != null; r = ch.readOutbound()) {
      out.add(r.content().toString(StandardCharsets.UTF_8));
      r.release();
    }
    return out;
  }

  @Test
  void whileTheClientReadsNoResponsesNothingMoreIsAnsweredOrRead() {
    clientReads(false);
    pipeline(3);
    assertThat(responses()).isEmpty();
    assertThat(ch.config().isAutoRead()).isFalse();

    clientReads(true);
    assertThat(responses()).containsExactly("{\"n\":\"0\"}", "{\"n\":\"1\"}", "{\"n\":\"2\"}");
    assertThat(ch.config().isAutoRead()).isTrue();
  }

  @Test
  void aClientThatReadsNoResponsesForTheReadTimeoutIsClosed() {
    clientReads(false);
    pipeline(2);
    assertThat(responses()).isEmpty();
    ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void pipelinedRequestsPastTheCapAreRefusedWith429AfterTheQueuedOnesAreAnswered() {
    clientReads(false);
    pipeline(ConnectionHandler.MAX_PIPELINED + 5);
    assertThat(ch.config().isAutoRead()).isFalse();

    clientReads(true);
    List<String> out = responses();
    assertThat(out).hasSize(ConnectionHandler.MAX_PIPELINED + 1);
    assertThat(out.get(ConnectionHandler.MAX_PIPELINED - 1)).isEqualTo("{\"n\":\"127\"}");
    assertThat(out.getLast())
        .contains("\"code\":\"too_many_requests\"")
        .contains("more than 128 pipelined requests");
    assertThat(ch.isOpen()).isFalse();
  }
}
