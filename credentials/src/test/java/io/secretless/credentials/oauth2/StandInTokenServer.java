package io.secretless.credentials.oauth2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in OAuth2 token endpoint (client-credentials grant) on a real loopback HTTP server (JDK
 * com.sun.net.httpserver), for the failure behaviours a real server cannot be made to show on
 * demand: down, slow, 5xx, garbage, and counting requests. It checks the client credentials
 * (client_secret_basic or client_secret_post) like a real server and issues token-1, token-2, ...
 */
final class StandInTokenServer implements AutoCloseable {
  enum Mode {
    OK,
    OK_WITHOUT_EXPIRES_IN,
    SERVER_ERROR,
    GARBAGE
  }

  final String clientId;
  final String clientSecret;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger issued = new AtomicInteger();
  volatile Mode mode = Mode.OK;
  volatile long expiresIn = 3600;
  volatile CountDownLatch gate = new CountDownLatch(0);
  volatile String lastScope;
  volatile String lastAudience;

  /** When set, private_key_jwt assertions are checked with this key. */
  volatile java.security.interfaces.RSAPublicKey jwtKey;

  volatile boolean lastWasJwt;

  StandInTokenServer(String clientId, String clientSecret) throws IOException {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.setExecutor(pool);
    server.createContext("/token", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try {
      gate.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    switch (mode) {
      case SERVER_ERROR -> send(ex, 500, "text/plain", "boom");
      case GARBAGE -> send(ex, 200, "application/json", "this is not json {");
      default -> {
        if (!body.contains("grant_type=client_credentials")) {
          send(ex, 400, "application/json", "{\"error\":\"unsupported_grant_type\"}");
        } else if (!authenticated(ex, body)) {
          send(ex, 401, "application/json", "{\"error\":\"invalid_client\"}");
        } else {
          lastScope = param(body, "scope");
          lastAudience = param(body, "audience");
          String token = "token-" + issued.incrementAndGet();
          String expires = mode == Mode.OK ? ",\"expires_in\":" + expiresIn : "";
          send(
              ex,
              200,
              "application/json",
              "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\"" + expires + "}");
        }
      }
    }
  }

  private boolean authenticated(HttpExchange ex, String body) {
    String assertion = param(body, "client_assertion");
    lastWasJwt = assertion != null;
    if (assertion != null) {
      return jwtKey != null && validJwt(assertion);
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.startsWith("Basic ")) {
      String pair =
          new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
      return pair.equals(enc(clientId) + ":" + enc(clientSecret));
    }
    return clientId.equals(param(body, "client_id"))
        && clientSecret.equals(param(body, "client_secret"));
  }

  private boolean validJwt(String assertion) {
    try {
      var jwt = com.nimbusds.jwt.SignedJWT.parse(assertion);
      var claims = jwt.getJWTClaimsSet();
      return jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(jwtKey))
          && clientId.equals(claims.getIssuer())
          && clientId.equals(claims.getSubject())
          && claims.getAudience().contains(url())
          && claims.getExpirationTime().after(new java.util.Date());
    } catch (java.text.ParseException | com.nimbusds.jose.JOSEException e) {
      return false;
    }
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String param(String body, String name) {
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @Override
  public void close() {
    gate.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
