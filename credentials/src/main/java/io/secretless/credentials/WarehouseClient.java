package io.secretless.credentials;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import io.secretless.core.Secret;
import io.secretless.credentials.oauth2.NimbusTokenEndpoint;
import io.secretless.credentials.oauth2.OAuth2Settings;
import io.secretless.credentials.oauth2.OAuth2Token;
import io.secretless.credentials.oauth2.OAuth2TokenSource;
import io.secretless.credentials.oauth2.TokenEndpointException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The requests behind {@link WarehouseProvider}: a client-credentials token from the warehouse's
 * token endpoint (cached by {@link OAuth2TokenSource}), then {@code GET
 * /v1/credentials/{ref}/secret} with it. Messages name the credential, the warehouse and the client
 * id, never a value, a token or the client secret.
 */
final class WarehouseClient implements AutoCloseable {
  private final WarehouseSettings settings;
  private final OAuth2TokenSource tokens;

  WarehouseClient(WarehouseSettings settings) {
    this.settings = settings;
    OAuth2Settings oauth =
        new OAuth2Settings(
            "warehouse",
            settings.tokenUrl(),
            settings.clientId(),
            Optional.empty(),
            Optional.empty(),
            OAuth2Settings.ClientAuth.CLIENT_SECRET_BASIC,
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            0.8,
            settings.timeout(),
            2,
            Duration.ofMillis(200),
            settings.caBundle(),
            // The messages below say which credential and client; the CA is set by variable.
            new OAuth2Settings.Naming("", WarehouseSettings.CA_BUNDLE));
    Secret secret = settings.clientSecret();
    this.tokens =
        new OAuth2TokenSource(
            oauth, new NimbusTokenEndpoint(oauth, secret::copy), Thread.ofVirtual()::start);
  }

  /** {@code id} is the whole {@code get:} text, for messages. */
  Secret secret(String id, String name, Optional<String> field) {
    OAuth2Token token = token(id);
    HTTPResponse response = send(id, name, token);
    if (response.getStatusCode() == 401) {
      // Refused although not stale: a restarted warehouse with a new signing key, say.
      tokens.invalidate(token);
      response = send(id, name, token(id));
    }
    return switch (response.getStatusCode()) {
      case 200 -> value(id, name, field, response);
      case 401 ->
          throw refused(
              id, "the warehouse refused the access token of client " + settings.clientId());
      case 403 ->
          throw refused(
              id,
              "not granted to client " + settings.clientId() + " (grant it read on " + name + ")");
      case 404 ->
          throw refused(id, "no credential " + name + " in the warehouse at " + settings.url());
      case 410 -> throw refused(id, "credential " + name + " has expired; rotate it");
      default ->
          throw fail(
              id,
              "the warehouse at "
                  + settings.url()
                  + " answered HTTP "
                  + response.getStatusCode()
                  + errorCode(response).map(c -> " " + c).orElse(""));
    };
  }

  private OAuth2Token token(String id) {
    try {
      return tokens
          .token()
          .get(settings.timeout().multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String message =
          "warehouse credential "
              + id
              + ": no access token for client "
              + settings.clientId()
              + " from "
              + settings.tokenUrl()
              + ": "
              + e.getCause().getMessage();
      // invalid_client and other 4xx answers are the token endpoint's verdict, not an outage.
      throw e.getCause() instanceof TokenEndpointException t && !t.retryable()
          ? CredentialException.refused(message)
          : new CredentialException(message);
    } catch (TimeoutException e) {
      throw fail(id, "the token endpoint " + settings.tokenUrl() + " did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(id, "interrupted while waiting for an access token");
    }
  }

  private HTTPResponse send(String id, String name, OAuth2Token token) {
    String ref = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    HTTPRequest http =
        new HTTPRequest(
            HTTPRequest.Method.GET,
            URI.create(settings.url() + "/v1/credentials/" + ref + "/secret"));
    http.setAuthorization("Bearer " + token.reveal());
    int timeout = (int) settings.timeout().toMillis();
    http.setConnectTimeout(timeout);
    http.setReadTimeout(timeout);
    settings.caBundle().ifPresent(ca -> http.setSSLSocketFactory(ca.sockets()));
    try {
      return http.send();
    } catch (SSLException e) {
      throw fail(
          id,
          "TLS with the warehouse at "
              + settings.url()
              + " failed; if its certificate comes from a private CA, set "
              + WarehouseSettings.CA_BUNDLE);
    } catch (IOException e) {
      throw fail(
          id,
          "the warehouse at "
              + settings.url()
              + " is unreachable ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")");
    }
  }

  /** {@code {"name","version","value"}} for one field, {@code {..., "data": {field: value}}}. */
  private Secret value(String id, String name, Optional<String> field, HTTPResponse response) {
    Map<String, Object> json = json(response).orElse(Map.of());
    Object single = json.get("value");
    Object data = json.get("data");
    if (field.isEmpty() && single instanceof String v) {
      return Secret.of(v);
    }
    if (data instanceof Map<?, ?> fields) {
      if (field.isPresent() && fields.get(field.get()) instanceof String v) {
        return Secret.of(v);
      }
      throw refused(
          id,
          "credential "
              + name
              + " has the fields "
              + new TreeSet<>(fields.keySet().stream().map(String::valueOf).toList())
              + (field.isPresent() ? ", not " + field.get() : "")
              + ": use get: "
              + name
              + "#FIELD");
    }
    if (field.isPresent() && single instanceof String) {
      throw refused(id, "credential " + name + " has a single field: use get: " + name);
    }
    throw fail(
        id, "the warehouse at " + settings.url() + " answered with a body that is not a secret");
  }

  private static Optional<Map<String, Object>> json(HTTPResponse response) {
    try {
      return Optional.of(JSONObjectUtils.parse(response.getContent()));
    } catch (ParseException | RuntimeException e) {
      return Optional.empty(); // the message could quote the body
    }
  }

  private static Optional<String> errorCode(HTTPResponse response) {
    return json(response)
        .map(j -> j.get("error"))
        .filter(Map.class::isInstance)
        .map(e -> ((Map<?, ?>) e).get("code"))
        .filter(String.class::isInstance)
        .map(String.class::cast);
  }

  private static CredentialException fail(String id, String why) {
    return new CredentialException("warehouse credential " + id + ": " + why);
  }

  /** The warehouse's verdict (not granted, deleted, expired, ...), not an outage. */
  private static CredentialException refused(String id, String why) {
    return CredentialException.refused("warehouse credential " + id + ": " + why);
  }

  @Override
  public void close() {
    tokens.close();
  }
}
