package io.secretless.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.OAuth2Authentication;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.oauth2.OAuth2Token;
import io.secretless.credentials.oauth2.OAuth2TokenSource;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Interop: the broker's OAuth2 token source against Spring Authorization Server, a third-party
 * implementation that checks client secrets and signs JWTs, running in-process on loopback.
 */
class SpringAuthorizationServerIT {
  private static final String SECRET = "Spring-Canary-Secret-8c21";
  private static final String POST_SECRET = "Spring-Canary-Post-5e0a";
  private static ConfigurableApplicationContext server;
  private static String base;

  @SpringBootApplication
  static class AuthorizationServer {}

  @BeforeAll
  static void start() {
    String client = "spring.security.oauth2.authorizationserver.client.";
    server =
        new SpringApplication(AuthorizationServer.class)
            .run(
                "--server.address=127.0.0.1",
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--" + client + "basic.registration.client-id=agent-basic",
                "--" + client + "basic.registration.client-secret={noop}" + SECRET,
                "--"
                    + client
                    + "basic.registration.client-authentication-methods=client_secret_basic",
                "--" + client + "basic.registration.authorization-grant-types=client_credentials",
                "--" + client + "basic.registration.scopes=agent:execute,blockchain:read",
                "--" + client + "post.registration.client-id=agent-post",
                "--" + client + "post.registration.client-secret={noop}" + POST_SECRET,
                "--"
                    + client
                    + "post.registration.client-authentication-methods=client_secret_post",
                "--" + client + "post.registration.authorization-grant-types=client_credentials",
                "--" + client + "post.registration.scopes=agent:execute");
    int port = ((ServletWebServerApplicationContext) server).getWebServer().getPort();
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static OAuth2TokenSource source(String clientId, String secret, String clientAuth) {
    Position here = new Position("interop.yml", 1, 1);
    var auth =
        new OAuth2Authentication(
            base + "/oauth2/token",
            clientId,
            new CredentialRef.Literal(Secret.of(secret), here),
            Optional.of("agent:execute"),
            clientAuth,
            ConfigTree.empty(here),
            here);
    var service =
        new ServiceConfig(
            "agents",
            "generic_http",
            new ListenAddress.Tcp("127.0.0.1", 0),
            Map.of(),
            ConfigTree.empty(here),
            Map.of(),
            List.of(auth),
            here);
    return OAuth2TokenSource.forService(service, Executors.newVirtualThreadPerTaskExecutor());
  }

  @ParameterizedTest
  @ValueSource(strings = {"client_secret_basic", "client_secret_post"})
  void tokenFromSpringAuthorizationServerIsASignedJwtForTheClient(String method) throws Exception {
    String clientId = method.endsWith("basic") ? "agent-basic" : "agent-post";
    String secret = method.endsWith("basic") ? SECRET : POST_SECRET;
    try (OAuth2TokenSource tokens = source(clientId, secret, method)) {
      OAuth2Token token = tokens.token().get(30, TimeUnit.SECONDS);
      assertThat(token.lifetimeFromServer()).isTrue();
      SignedJWT jwt = SignedJWT.parse(token.reveal());
      JWKSet keys = JWKSet.load(URI.create(base + "/oauth2/jwks").toURL());
      RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
      assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
      assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(clientId);
      assertThat(jwt.getJWTClaimsSet().getStringListClaim("scope"))
          .containsExactly("agent:execute");
      assertThat(tokens.token().get(30, TimeUnit.SECONDS).reveal())
          .as("second call is served from the cache")
          .isEqualTo(token.reveal());
    }
  }

  @Test
  void wrongClientSecretIsAClearErrorWithoutTheSecret() {
    try (OAuth2TokenSource tokens =
        source("agent-basic", "not-the-secret", "client_secret_basic")) {
      assertThatThrownBy(() -> tokens.token().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .satisfies(
              e ->
                  assertThat(e.getCause().getMessage())
                      .contains("agents")
                      .doesNotContain("not-the-secret")
                      .doesNotContain(SECRET));
    }
  }
}
