package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.config.ConfigError;
import io.secretless.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which upstream answers refuse a route's credentials (and so may be retried once). */
class HttpRouteRefusalTest {
  @Test
  void awsRoutesTakeA403AsARefusalToo() {
    HttpRoute aws =
        route(
            new AwsConnector(),
            service(
                "aws",
                "aws",
                Map.of("accessKeyId", "AKIDEXAMPLE", "secretAccessKey", "s"),
                Map.of("region", "eu-west-3", "service", "sts")));
    assertThat(aws.refusesCredentialsWith(401)).isTrue();
    assertThat(aws.refusesCredentialsWith(403)).isTrue();
    assertThat(aws.refusesCredentialsWith(404)).isFalse();
  }

  @Test
  void otherConnectorsTakeOnly401AsARefusal() {
    HttpRoute generic =
        route(
            new GenericHttpConnector(),
            service(
                "api",
                "generic_http",
                Map.of("key", "k"),
                Map.of("headers", Map.of("X-Api-Key", "{{ .key }}"))));
    assertThat(generic.refusesCredentialsWith(401)).isTrue();
    assertThat(generic.refusesCredentialsWith(403)).isFalse();
  }

  private static HttpRoute route(HttpConnector connector, ServiceConfig s) {
    List<ConfigError> errors = new ArrayList<>();
    HttpRoute route = HttpRoute.compile(s, connector, errors).orElseThrow();
    assertThat(errors).isEmpty();
    return route;
  }
}
