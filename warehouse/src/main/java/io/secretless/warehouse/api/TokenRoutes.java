package io.secretless.warehouse.api;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import io.secretless.core.Secret;
import io.secretless.warehouse.Agent;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.audit.AuditEvent;
import io.secretless.warehouse.token.TokenIssuer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OAuth2 token endpoint (RFC 6749 client credentials grant; client_secret_basic and
 * client_secret_post), the JWKS and the discovery documents. Errors here follow RFC 6749 section
 * 5.2 ({@code {"error":"invalid_client",...}}) because OAuth2 clients expect that shape.
 */
final class TokenRoutes {
  private final WarehouseNode node;
  private final String baseUrl;

  TokenRoutes(WarehouseNode node, String baseUrl) {
    this.node = node;
    this.baseUrl = baseUrl;
  }

  void register(Router app) {
    if (node.issuer().isEmpty()) {
      return;
    }
    TokenIssuer issuer = node.issuer().get();
    app.post("/v1/oauth/token", ctx -> token(ctx, issuer));
    app.get("/v1/oauth/jwks", ctx -> ctx.json(issuer.jwks()));
    app.get("/.well-known/jwks.json", ctx -> ctx.json(issuer.jwks()));
    app.get("/.well-known/oauth-authorization-server", ctx -> ctx.json(discovery(issuer)));
    app.get("/.well-known/openid-configuration", ctx -> ctx.json(discovery(issuer)));
  }

  private Map<String, Object> discovery(TokenIssuer issuer) {
    var m = new LinkedHashMap<String, Object>();
    m.put("issuer", issuer.issuer());
    m.put("token_endpoint", baseUrl + "/v1/oauth/token");
    m.put("jwks_uri", baseUrl + "/.well-known/jwks.json");
    m.put("grant_types_supported", List.of("client_credentials"));
    m.put(
        "token_endpoint_auth_methods_supported",
        List.of("client_secret_basic", "client_secret_post"));
    m.put("response_types_supported", List.of("token"));
    m.put("subject_types_supported", List.of("public"));
    m.put("id_token_signing_alg_values_supported", List.of("ES256"));
    m.put("token_endpoint_auth_signing_alg_values_supported", List.of("ES256"));
    return m;
  }

  private void token(Exchange ctx, TokenIssuer issuer) {
    String source = ctx.ip();
    String ua = ctx.userAgent();
    ClientAuthentication client;
    try {
      var http = new HTTPRequest(HTTPRequest.Method.POST, URI.create(baseUrl + "/v1/oauth/token"));
      http.setHeader("Content-Type", ctx.contentType().orElse(""));
      ctx.header("Authorization").ifPresent(http::setAuthorization);
      http.setBody(ctx.body());
      TokenRequest request = TokenRequest.parse(http);
      if (!(request.getAuthorizationGrant() instanceof ClientCredentialsGrant)) {
        oauthError(
            ctx, 400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
        return;
      }
      client = request.getClientAuthentication();
    } catch (ParseException e) {
      String code = e.getErrorObject() == null ? "invalid_request" : e.getErrorObject().getCode();
      int status = "invalid_client".equals(code) ? 401 : 400;
      oauthError(ctx, status, code, e.getMessage());
      return;
    }
    String clientId = client == null ? "-" : client.getClientID().getValue();
    String secret =
        switch (client) {
          case ClientSecretBasic b -> b.getClientSecret().getValue();
          case ClientSecretPost p -> p.getClientSecret().getValue();
          case null, default -> null;
        };
    if (secret == null) {
      audit(clientId, AuditEvent.Outcome.DENIED, "no client secret", source, ua);
      oauthError(
          ctx,
          401,
          "invalid_client",
          "authenticate with client_secret_basic or client_secret_post");
      return;
    }
    Agent agent;
    try (Secret s = Secret.of(secret)) {
      agent = node.clients().authenticate(clientId, s);
    } catch (WarehouseException e) {
      audit(clientId, AuditEvent.Outcome.DENIED, e.getMessage(), source, ua);
      oauthError(ctx, 401, "invalid_client", "invalid client id or secret");
      return;
    }
    String token = issuer.issue(agent);
    audit(agent.id(), AuditEvent.Outcome.SUCCESS, "token issued", source, ua);
    var out = new LinkedHashMap<String, Object>();
    out.put("access_token", token);
    out.put("token_type", "Bearer");
    out.put("expires_in", issuer.ttl().toSeconds());
    ctx.header("Cache-Control", "no-store").header("Pragma", "no-cache").json(out);
  }

  private void audit(
      String agent, AuditEvent.Outcome outcome, String reason, String source, String ua) {
    node.audit().record(new AuditEvent(agent, "token", "*", outcome, reason, source, ua));
  }

  private static void oauthError(Exchange ctx, int status, String code, String description) {
    var body = new LinkedHashMap<String, Object>();
    body.put("error", code);
    body.put("error_description", description);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Basic realm=\"secretless-warehouse\"");
    }
    ctx.status(status).header("Cache-Control", "no-store").json(body);
  }
}
