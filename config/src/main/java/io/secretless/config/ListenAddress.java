package io.secretless.config;

import java.nio.file.Path;

/** Where a service listens: {@code tcp://host:port} or {@code unix:///absolute/path}. */
public sealed interface ListenAddress {
  record Tcp(String host, int port) implements ListenAddress {
    @Override
    public String toString() {
      return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  record Unix(Path path) implements ListenAddress {
    @Override
    public String toString() {
      return "unix://" + path;
    }
  }

  /**
   * Parses {@code tcp://host:port}, {@code tcp://[::1]:port}, {@code unix:///path}; a bare {@code
   * host:port} is taken as TCP (CyberArk v1 style).
   *
   * @throws IllegalArgumentException with a message fit for a config error
   */
  static ListenAddress parse(String text) {
    if (text.startsWith("unix://")) {
      String path = text.substring("unix://".length());
      if (path.isEmpty() || !path.startsWith("/")) {
        throw new IllegalArgumentException(
            "unix listenOn needs an absolute path, as in unix:///run/secretless/pg.sock: " + text);
      }
      return new Unix(Path.of(path));
    }
    String hostPort = text.startsWith("tcp://") ? text.substring("tcp://".length()) : text;
    if (hostPort.contains("://")) {
      throw new IllegalArgumentException(
          "listenOn must start with tcp:// or unix://, got '" + text + "'");
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(
          "listenOn needs host and port, as in tcp://127.0.0.1:5432, got '" + text + "'");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("listenOn port is not a number in '" + text + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listenOn port " + port + " is out of range 0-65535");
    }
    return new Tcp(host, port);
  }
}
