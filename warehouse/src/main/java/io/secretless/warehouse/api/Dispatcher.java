package io.secretless.warehouse.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the route a request matches and turns whatever happens into a response: the route's own, or
 * {@code {"error":{"code","message"}}} for a {@link WarehouseException} (its status), an unknown
 * endpoint (404), a known path with another method (405 with {@code Allow}), or any other failure
 * (500; the exception is logged here and never shown to the client).
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private final Router router;

  Dispatcher(Router router) {
    this.router = router;
  }

  /** Blocks as long as the route does; call it off the event loop. */
  FullHttpResponse respond(Exchange ex) {
    try {
      switch (router.match(ex.method(), ex.path())) {
        case Router.Match.Found f -> {
          ex.pathParams(f.params());
          f.handler().handle(ex);
        }
        case Router.Match.WrongMethod w -> {
          error(
              ex,
              405,
              "method_not_allowed",
              ex.method()
                  + " is not allowed on "
                  + ex.path()
                  + "; use "
                  + String.join(", ", w.allowed()));
          ex.header("Allow", String.join(", ", w.allowed()));
        }
        case Router.Match.NotFound n ->
            error(ex, ErrorCode.NOT_FOUND, "no such endpoint: " + ex.method() + " " + ex.path());
      }
    } catch (WarehouseException e) {
      ex.resetResponse();
      error(ex, e.code(), e.getMessage());
    } catch (Exception e) {
      LOG.error("unexpected failure on {} {}", ex.method(), ex.path(), e);
      ex.resetResponse();
      error(ex, ErrorCode.INTERNAL, "internal error; see the warehouse log");
    }
    return toResponse(ex);
  }

  static void error(Exchange ex, ErrorCode code, String message) {
    error(ex, code.status(), code.wire(), message);
    if (code == ErrorCode.UNAUTHORIZED) {
      ex.header("WWW-Authenticate", "Bearer realm=\"secretless-warehouse\"");
    }
  }

  static void error(Exchange ex, int status, String code, String message) {
    var body = new LinkedHashMap<String, Object>();
    body.put("code", code);
    body.put("message", message);
    ex.status(status).json(Map.of("error", body));
  }

  static FullHttpResponse toResponse(Exchange ex) {
    ByteBuf body = ex.takeBody().orElse(Unpooled.EMPTY_BUFFER);
    var response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(ex.status()),
            body,
            ex.responseHeaders(),
            EmptyHttpHeaders.INSTANCE);
    if (ex.status() != 204) {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    }
    return response;
  }
}
