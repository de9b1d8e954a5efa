package io.secretless.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A client request the broker refuses to parse ({@link RequestHead}, {@link RequestFramer}): the
 * status and message to answer with. Passed down the client pipeline as an event; the connection
 * closes after the answer, since nothing after it can be framed safely.
 */
final class MalformedRequest extends RuntimeException {
  final HttpResponseStatus status;

  MalformedRequest(HttpResponseStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static MalformedRequest bad(String why) {
    return new MalformedRequest(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + why);
  }
}
