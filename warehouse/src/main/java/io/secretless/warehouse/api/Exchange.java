package io.secretless.warehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.secretless.warehouse.WarehouseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request and the response a route builds for it. The request side is a copy taken on the
 * event loop (the Netty buffers are released before the route runs on its virtual thread); the
 * response body is written straight into a pooled {@link ByteBuf} that the server sends and frees.
 * Not thread-safe: one route on one thread owns it until it returns.
 */
final class Exchange {
  private final String method;
  private final String path;
  private final QueryStringDecoder query;
  private final HttpHeaders requestHeaders;
  private final String body;
  private final String ip;
  private final ObjectMapper json;
  private final ByteBufAllocator alloc;
  private Map<String, String> pathParams = Map.of();
  private int status = 200;
  private final HttpHeaders responseHeaders = new DefaultHttpHeaders();
  private ByteBuf responseBody;

  Exchange(FullHttpRequest request, String ip, ObjectMapper json, ByteBufAllocator alloc) {
    this.method = request.method().name();
    this.query = new QueryStringDecoder(originForm(request.uri()));
    this.path = query.rawPath();
    this.requestHeaders = request.headers(); // plain Java object: valid after release()
    this.body = request.content().toString(StandardCharsets.UTF_8);
    this.ip = ip;
    this.json = json;
    this.alloc = alloc;
  }

  /** An exchange with no request behind it, for the replies the server makes itself (400, 413). */
  Exchange(String ip, ObjectMapper json, ByteBufAllocator alloc) {
    this.method = "";
    this.query = new QueryStringDecoder("/");
    this.path = "/";
    this.requestHeaders = new DefaultHttpHeaders();
    this.body = "";
    this.ip = ip;
    this.json = json;
    this.alloc = alloc;
  }

  /**
   * The request target as a path and query: the absolute form ({@code http://host/v1/health}),
   * which RFC 9112 section 3.2.2 asks servers to accept, is reduced to its path and query.
   */
  private static String originForm(String target) {
    if (target.startsWith("/")) {
      return target;
    }
    try {
      URI uri = new URI(target);
      if (uri.isAbsolute() && uri.getRawPath() != null && uri.getRawPath().startsWith("/")) {
        return uri.getRawQuery() == null
            ? uri.getRawPath()
            : uri.getRawPath() + "?" + uri.getRawQuery();
      }
    } catch (URISyntaxException e) {
      // not a URI: routed as it is, to a 404 that names it
    }
    return target;
  }

  String method() {
    return method;
  }

  /** The raw (still percent-encoded) path, without the query string. */
  String path() {
    return path;
  }

  void pathParams(Map<String, String> params) {
    this.pathParams = params;
  }

  /** A decoded {@code {name}} segment of the matched route's template. */
  String pathParam(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalArgumentException("route has no path parameter " + name);
    }
    return v;
  }

  Optional<String> queryParam(String name) {
    List<String> values = parameters().get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  List<String> queryParams(String name) {
    return parameters().getOrDefault(name, List.of());
  }

  private Map<String, List<String>> parameters() {
    try {
      return query.parameters(); // decoded on first use
    } catch (IllegalArgumentException e) {
      throw WarehouseException.badRequest("query string is not valid percent-encoding");
    }
  }

  Optional<String> header(String name) {
    return Optional.ofNullable(requestHeaders.get(name));
  }

  Optional<String> contentType() {
    return header(HttpHeaderNames.CONTENT_TYPE.toString());
  }

  /** The User-Agent header, empty when the client sent none. */
  String userAgent() {
    return header(HttpHeaderNames.USER_AGENT.toString()).orElse("");
  }

  /** The peer's IP address (the audit record's source). */
  String ip() {
    return ip;
  }

  /** The request body decoded as UTF-8 (empty when there is none). */
  String body() {
    return body;
  }

  Exchange status(int code) {
    this.status = code;
    return this;
  }

  int status() {
    return status;
  }

  Exchange header(String name, String value) {
    responseHeaders.set(name, value);
    return this;
  }

  HttpHeaders responseHeaders() {
    return responseHeaders;
  }

  /** Serializes {@code value} as the JSON response body (no intermediate String). */
  void json(Object value) {
    ByteBuf buf = freshBody();
    try (var out = new ByteBufOutputStream(buf)) {
      json.writeValue((java.io.OutputStream) out, value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize the response", e);
    }
    responseHeaders.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
  }

  /** A ready-made text body with its content type. */
  void result(String contentType, String text) {
    freshBody().writeCharSequence(text, StandardCharsets.UTF_8);
    responseHeaders.set(HttpHeaderNames.CONTENT_TYPE, contentType);
  }

  private ByteBuf freshBody() {
    discardBody();
    responseBody = alloc.buffer(256);
    return responseBody;
  }

  /** Hands the body over to the caller, who then owns (and frees) it; empty when none was set. */
  Optional<ByteBuf> takeBody() {
    ByteBuf b = responseBody;
    responseBody = null;
    return Optional.ofNullable(b);
  }

  /** Frees a body a failed route had started, so that an error reply can replace it. */
  void discardBody() {
    if (responseBody != null) {
      responseBody.release();
      responseBody = null;
    }
  }

  /** Forgets the headers a failed route had set (an error reply must not carry them). */
  void resetResponse() {
    discardBody();
    responseHeaders.clear();
    status = 200;
  }
}
