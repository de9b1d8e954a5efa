package io.secretless.warehouse.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Method + path template routing: a template is literal segments and {@code {name}} segments, each
 * of which matches one non-empty path segment, percent-decoded. A path that matches a template but
 * not its method is a {@link Match.WrongMethod} (405 with the allowed methods).
 */
final class Router {
  /** A route's code; it may block (it runs on its own virtual thread). */
  @FunctionalInterface
  interface Handler {
    void handle(Exchange exchange) throws Exception;
  }

  /** The outcome of routing one request. */
  sealed interface Match {
    record Found(Handler handler, Map<String, String> params) implements Match {}

    record WrongMethod(Set<String> allowed) implements Match {}

    record NotFound() implements Match {}
  }

  private record Route(String method, String[] segments, Handler handler) {}

  // Routes are added once at start-up (the token routes right after the port is bound).
  private final List<Route> routes = new CopyOnWriteArrayList<>();

  void get(String template, Handler handler) {
    add("GET", template, handler);
  }

  void post(String template, Handler handler) {
    add("POST", template, handler);
  }

  void delete(String template, Handler handler) {
    add("DELETE", template, handler);
  }

  void add(String method, String template, Handler handler) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("route template must start with /: " + template);
    }
    routes.add(new Route(method, split(template), handler));
  }

  /** Routes {@code method} and the raw (percent-encoded) {@code path}. */
  Match match(String method, String path) {
    String[] segments = split(path);
    Set<String> allowed = null;
    for (Route r : routes) {
      Map<String, String> params = bind(r.segments(), segments);
      if (params == null) {
        continue;
      }
      // HEAD is not served: the API has no bodies worth a HEAD.
      if (r.method().equals(method)) {
        return new Match.Found(r.handler(), params);
      }
      if (allowed == null) {
        allowed = new TreeSet<>();
      }
      allowed.add(r.method());
    }
    return allowed == null ? new Match.NotFound() : new Match.WrongMethod(allowed);
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  private static Map<String, String> bind(String[] template, String[] segments) {
    if (template.length != segments.length) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (t.startsWith("{") && t.endsWith("}")) {
        if (segments[i].isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new HashMap<>(4);
        }
        params.put(t.substring(1, t.length() - 1), decode(segments[i]));
      } else if (!t.equals(segments[i])) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }

  /** Percent-decoding of one path segment; a '+' stays a '+' (it is a space only in queries). */
  static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw io.secretless.warehouse.WarehouseException.badRequest(
          "path segment is not valid percent-encoding: " + segment);
    }
  }
}
