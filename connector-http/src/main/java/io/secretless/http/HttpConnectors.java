package io.secretless.http;

import java.util.List;
import java.util.Optional;

/** The HTTP connectors of this module by name, for listeners that mix them. */
final class HttpConnectors {
  private static final List<HttpConnector> ALL =
      List.of(
          new GenericHttpConnector(),
          new BasicAuthConnector(),
          new ConjurConnector(),
          new AwsConnector());

  private HttpConnectors() {}

  static Optional<HttpConnector> forName(String name) {
    return ALL.stream()
        .filter(c -> c.name().equals(name) || c.aliases().contains(name))
        .findFirst();
  }
}
