package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * Responses the broker itself gives: plain text starting with {@code secretless:} so that a person
 * reading curl's output knows who answered. Messages name the service and cause, never a secret.
 * Encoded here because the client's pipeline has no response encoder (responses are relayed as
 * bytes).
 */
final class ErrorResponses {
  private ErrorResponses() {}

  static ByteBuf of(HttpResponseStatus status, String message, boolean keepAlive) {
    byte[] body = ("secretless: " + message + "\n").getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ")
            .append(status.code())
            .append(' ')
            .append(status.reasonPhrase())
            .append("\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ")
            .append(body.length)
            .append("\r\n");
    if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
      head.append("allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n");
    }
    if (!keepAlive) {
      head.append("connection: close\r\n");
    }
    head.append("\r\n");
    return Unpooled.wrappedBuffer(head.toString().getBytes(StandardCharsets.US_ASCII), body);
  }
}
