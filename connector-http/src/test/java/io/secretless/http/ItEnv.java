package io.secretless.http;

/** The real servers' coordinates, from the environment that scripts/test-servers.sh writes. */
final class ItEnv {
  private ItEnv() {}

  static String get(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(
          name
              + " is not set: run ./run-tests or source /tmp/secretless-test/env.sh (nginx comes"
              + " from scripts/servers/40-nginx.sh)");
    }
    return v;
  }

  static int nginxHttp() {
    return Integer.parseInt(get("SECRETLESS_IT_NGINX_HTTP_PORT"));
  }

  static int nginxHttps() {
    return Integer.parseInt(get("SECRETLESS_IT_NGINX_HTTPS_PORT"));
  }

  static String caBundle() {
    return get("SECRETLESS_IT_TLS_DIR") + "/ca.crt";
  }
}
