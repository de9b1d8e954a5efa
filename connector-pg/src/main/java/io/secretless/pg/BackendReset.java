package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.secretless.pg.message.BackendDecoder;
import io.secretless.pg.message.ParameterStatus;
import io.secretless.pg.message.Query;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Resets a backend its client has left: sends the reset query ({@code DISCARD ALL} by default) and
 * waits for CommandComplete and ReadyForQuery idle, noting the ParameterStatus values the reset
 * reports. Success parks the backend; an error, any other message, a close or no answer in time
 * discards it.
 */
final class BackendReset extends ChannelInboundHandlerAdapter {
  static final String NAME = "pg-backend-reset";

  private final BackendPool pool;
  private final PooledBackend backend;
  private final String query;
  private final Duration timeout;
  private ByteBuf received;
  private ScheduledFuture<?> timer;
  private boolean done;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  BackendReset(BackendPool pool, PooledBackend backend, String query, Duration timeout) {
    this.pool = pool;
    this.backend = backend;
    this.query = query;
    this.timeout = timeout;
  }

  /**
   * From here the pool owns the backend: whatever sits behind the reset (the broker's relay toward
   * the client that left) goes now, on the backend's loop. The broker also removes that relay, but
   * for a backend of another loop its removal is queued after the reset was, and a quick reset
   * could park the backend and a new client set up its relay before the removal runs.
   */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    while (ctx.pipeline().last() != this) {
      ctx.pipeline().removeLast();
    }
    received = ctx.alloc().buffer(256);
    timer =
        ctx.executor()
            .schedule(() -> end(ctx, "reset_failed"), timeout.toMillis(), TimeUnit.MILLISECONDS);
    ctx.writeAndFlush(PgHandshake.encode(ctx.channel(), new Query(query)))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                end(ctx, "backend_closed");
              }
            });
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (!done) {
        received.writeBytes(in);
        parse(ctx);
      }
    } finally {
      in.release();
    }
  }

  private void parse(ChannelHandlerContext ctx) {
    while (!done && received.readableBytes() >= 5) {
      byte tag = received.getByte(received.readerIndex());
      int length = received.getInt(received.readerIndex() + 1);
      if (length < 4 || length > BackendDecoder.MAX_MESSAGE) {
        end(ctx, "reset_failed");
        return;
      }
      if (received.readableBytes() < 1 + length) {
        return;
      }
      received.skipBytes(5);
      ByteBuf body = received.readSlice(length - 4);
      switch (tag) {
        case 'C', 'N' -> {
          // CommandComplete, or a notice: fine
        }
        case 'S' -> {
          ParameterStatus status = (ParameterStatus) BackendDecoder.decodeBody(tag, body);
          backend.parameter(status.name(), status.value());
        }
        case 'Z' ->
            end(ctx, body.readableBytes() == 1 && body.getByte(0) == 'I' ? null : "reset_failed");
        default -> end(ctx, "reset_failed"); // an ErrorResponse or anything unexpected
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!done) {
      ctx.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      end(ctx, "backend_closed");
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end(ctx, "backend_closed");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    end(ctx, "reset_failed");
  }

  /**
   * The buffer goes with the handler, whichever way it leaves: by {@link #end}, or with the whole
   * pipeline when the channel is torn down (an event loop shut down before the reset ended).
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    done = true;
    timer.cancel(false);
    received.release();
  }

  /** Parks the backend when {@code failure} is null, else discards it for that reason. */
  private void end(ChannelHandlerContext ctx, String failure) {
    if (done) {
      return;
    }
    done = true;
    timer.cancel(false);
    ctx.pipeline().remove(this);
    if (failure == null) {
      pool.park(backend);
    } else {
      pool.discard(backend, failure);
    }
  }
}
