package io.secretless.broker;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whether every service's listener is bound.
 *
 * @param problems service name to why it is not ready; empty when ready
 */
record Readiness(boolean draining, Map<String, String> problems) {
  boolean ready() {
    return !draining && problems.isEmpty();
  }

  /** {@code {"ready":false,"draining":false,"services":{"pg":"cannot listen on ..."}}} */
  String json() {
    String services =
        problems.entrySet().stream()
            .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
            .collect(Collectors.joining(",", "{", "}"));
    return "{\"ready\":"
        + ready()
        + ",\"draining\":"
        + draining
        + ",\"services\":"
        + services
        + "}\n";
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
