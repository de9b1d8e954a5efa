package io.secretless.warehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.secretless.warehouse.Caller;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.audit.AuditEvent;
import io.secretless.warehouse.token.TokenVerifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warehouse's HTTP API: JSON under {@code /v1}, the OAuth2 token endpoint and its discovery
 * documents, on 127.0.0.1:8200 by default (HTTPS when a key store is configured). Every error is
 * {@code {"error":{"code":..,"message":..}}} with its status; bodies above the configured size are
 * refused with 413. Requests run on virtual threads.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private final Javalin app;
  private final WarehouseNode node;
  private final String baseUrl;

  private ApiServer(Javalin app, WarehouseNode node, String baseUrl) {
    this.app = app;
    this.node = node;
    this.baseUrl = baseUrl;
  }

  /** Starts serving {@code node}; returns once the port is bound. */
  public static ApiServer start(WarehouseNode node, WarehouseConfig config) {
    var json = new ObjectMapper();
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.useVirtualThreads = true;
              cfg.showJavalinBanner = false;
              cfg.startupWatcherEnabled = false;
              cfg.http.maxRequestSize = config.maxRequestBytes();
              // Responses carry secrets: no compression (a compression side channel could leak
              // them, BREACH-style) and none of its per-response wrapping cost; no version header.
              cfg.http.disableCompression();
              cfg.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
              cfg.jsonMapper(new JavalinJackson(json, true));
              config
                  .tls()
                  .ifPresent(
                      tls ->
                          cfg.jetty.addConnector(
                              (server, http) -> {
                                var ssl = new SslContextFactory.Server();
                                ssl.setSslContext(TlsMaterial.sslContext(tls));
                                var connector = new ServerConnector(server, ssl);
                                connector.setHost(config.host());
                                connector.setPort(config.port());
                                return connector;
                              }));
            });
    var auth = new Authenticator(node.verifier(), node.audit());
    new CredentialRoutes(node, auth).register(app);
    new AdminRoutes(node, auth).register(app);
    app.exception(WarehouseException.class, (e, ctx) -> error(ctx, e.code(), e.getMessage()));
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          ErrorCode code =
              switch (e.getStatus()) {
                case 413 -> ErrorCode.TOO_LARGE;
                case 404 -> ErrorCode.NOT_FOUND;
                case 401 -> ErrorCode.UNAUTHORIZED;
                case 403 -> ErrorCode.FORBIDDEN;
                case 400 -> ErrorCode.BAD_REQUEST;
                default -> ErrorCode.INTERNAL;
              };
          String message =
              code == ErrorCode.TOO_LARGE
                  ? "request body larger than " + config.maxRequestBytes() + " bytes"
                  : e.getMessage();
          error(ctx, code, message);
        });
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
          error(ctx, ErrorCode.INTERNAL, "internal error; see the warehouse log");
        });
    app.error(
        404,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            error(ctx, ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path());
          }
        });
    String base;
    if (config.tls().isPresent()) {
      app.start();
    } else {
      app.start(config.host(), config.port());
    }
    base = config.baseUrl(app.port());
    new TokenRoutes(node, base).register(app);
    LOG.info("warehouse API listening on {} (store: {})", base, node.database().description());
    return new ApiServer(app, node, base);
  }

  static void error(Context ctx, ErrorCode code, String message) {
    var body = new LinkedHashMap<String, Object>();
    body.put("code", code.wire());
    body.put("message", message);
    ctx.status(code.status()).json(Map.of("error", body));
    if (code == ErrorCode.UNAUTHORIZED) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"secretless-warehouse\"");
    }
  }

  public int port() {
    return app.port();
  }

  public String baseUrl() {
    return baseUrl;
  }

  public WarehouseNode node() {
    return node;
  }

  @Override
  public void close() {
    app.stop();
  }

  /** Turns a request's bearer token into a {@link Caller}; audits and refuses any other request. */
  static final class Authenticator {
    private final TokenVerifier verifier;
    private final io.secretless.warehouse.audit.AuditLog audit;

    Authenticator(TokenVerifier verifier, io.secretless.warehouse.audit.AuditLog audit) {
      this.verifier = verifier;
      this.audit = audit;
    }

    Caller caller(Context ctx, String action) {
      String header = ctx.header("Authorization");
      String source = ctx.ip();
      String agentHint = "-";
      try {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
          throw new WarehouseException(
              ErrorCode.UNAUTHORIZED, "missing bearer token: send Authorization: Bearer <token>");
        }
        var verified = verifier.verify(header.substring(7).strip());
        return new Caller(verified.subject(), verified.roles(), source, userAgent(ctx));
      } catch (WarehouseException e) {
        audit.record(
            new AuditEvent(
                agentHint,
                action,
                "*",
                AuditEvent.Outcome.DENIED,
                e.getMessage(),
                source,
                userAgent(ctx)));
        throw e;
      }
    }

    private static String userAgent(Context ctx) {
      String ua = ctx.userAgent();
      return ua == null ? "" : ua;
    }
  }
}
