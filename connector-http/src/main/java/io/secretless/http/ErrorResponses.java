package io.secretless.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Responses the broker itself gives: plain text starting with {@code secretless:} so that a person
 * reading curl's output knows who answered. Messages name the service and cause, never a secret.
 */
final class ErrorResponses {
  private ErrorResponses() {}

  static FullHttpResponse of(HttpResponseStatus status, String message, boolean keepAlive) {
    byte[] body = ("secretless: " + message + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    }
    HttpUtil.setKeepAlive(r, keepAlive);
    return r;
  }
}
