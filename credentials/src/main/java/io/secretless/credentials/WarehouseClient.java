package io.secretless.credentials;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import io.secretless.core.Secret;
import io.secretless.credentials.oauth2.NimbusTokenEndpoint;
import io.secretless.credentials.oauth2.OAuth2Settings;
import io.secretless.credentials.oauth2.OAuth2Token;
import io.secretless.credentials.oauth2.OAuth2TokenSource;
import io.secretless.credentials.oauth2.TokenEndpointException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;

/**
 * The requests behind {@link WarehouseProvider}: a client-credentials token from the warehouse's
 * token endpoint (cached by {@link OAuth2TokenSource}), then {@code GET
 * /v1/credentials/{ref}/secret} or {@code GET /v1/changes} with it. Messages name the credential,
 * the warehouse and the client id, never a value, a token or the client secret.
 *
 * <p>Each GET is a plain {@link HttpURLConnection} whose body is read whole and closed, so the JDK
 * keeps the connection alive for the next one (no connect or TLS handshake per fetch); no request
 * or response objects beyond the JDK's own (docs/BENCHMARKS.md, "Broker-side warehouse fetch").
 */
final class WarehouseClient implements AutoCloseable {
  private static final String FEED = "warehouse change feed";
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

  /**
   * A value and the id of its credential (empty from a warehouse that does not send it), to map the
   * change feed's ids to {@code get:} texts.
   */
  record Fetched(Secret value, Optional<String> credentialId) {}

  /** {@code id} is the whole {@code get:} text, for messages. */
  Fetched secret(String id, String name, Optional<String> field) {
    String ref = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    URI uri = URI.create(settings.url() + "/v1/credentials/" + ref + "/secret");
    Answer response = sendRenewing(subject(id), uri, settings.timeout());
    return switch (response.status()) {
      case 200 -> {
        Map<String, Object> json = response.json().orElse(Map.of());
        yield new Fetched(
            value(id, name, field, json),
            json.get("id") instanceof String credentialId
                ? Optional.of(credentialId)
                : Optional.empty());
      }
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
                  + response.status()
                  + response.errorCode().map(c -> " " + c).orElse(""));
    };
  }

  /**
   * One poll of the change feed: {@code GET /v1/changes} (the starting point) without {@code
   * after}, else {@code ?after=N&wait=W}, read for up to {@code wait} plus the usual timeout.
   *
   * @throws CredentialException when the warehouse is unreachable, times out, answers 5xx or
   *     refuses the broker's client (an outage for the watcher: it retries)
   */
  ChangeWatcher.Answer changes(OptionalLong after, Duration wait) {
    String query =
        after.isEmpty() ? "" : "?after=" + after.getAsLong() + "&wait=" + wait.toMillis() + "ms";
    URI uri = URI.create(settings.url() + "/v1/changes" + query);
    Answer response = sendRenewing(FEED, uri, settings.timeout().plus(wait));
    int status = response.status();
    if (status == 200) {
      return page(response);
    }
    if (status == 404) {
      return new ChangeWatcher.Answer.NoFeed();
    }
    String why =
        "the warehouse at "
            + settings.url()
            + " answered HTTP "
            + status
            + response.errorCode().map(c -> " " + c).orElse("");
    if (status >= 400 && status < 500 && status != 401 && status != 408 && status != 429) {
      return new ChangeWatcher.Answer.Refused(FEED + ": " + why);
    }
    throw new CredentialException(FEED + ": " + why);
  }

  private ChangeWatcher.Answer page(Answer response) {
    Map<String, Object> json = response.json().orElse(Map.of());
    if (json.get("next") instanceof Number next && json.get("changes") instanceof List<?> list) {
      List<ChangeWatcher.Change> changes = new ArrayList<>();
      for (Object o : list) {
        if (o instanceof Map<?, ?> m && m.get("id") instanceof String credentialId) {
          changes.add(new ChangeWatcher.Change(credentialId, String.valueOf(m.get("action"))));
        }
      }
      return new ChangeWatcher.Answer.Page(next.longValue(), changes);
    }
    throw new CredentialException(
        FEED + ": the warehouse at " + settings.url() + " answered with a body that is not a page");
  }

  /** Sends with the cached token; once more with a new one if the warehouse refuses it. */
  private Answer sendRenewing(String subject, URI uri, Duration readTimeout) {
    OAuth2Token token = token(subject);
    Answer response = send(subject, uri, token, readTimeout);
    if (response.status() == 401) {
      // Refused although not stale: a restarted warehouse with a new signing key, say.
      tokens.invalidate(token);
      response = send(subject, uri, token(subject), readTimeout);
    }
    return response;
  }

  private OAuth2Token token(String subject) {
    try {
      return tokens
          .token()
          .get(settings.timeout().multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String message =
          subject
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
      throw new CredentialException(
          subject + ": the token endpoint " + settings.tokenUrl() + " did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialException(subject + ": interrupted while waiting for an access token");
    }
  }

  private Answer send(String subject, URI uri, OAuth2Token token, Duration readTimeout) {
    try {
      HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection();
      if (http instanceof HttpsURLConnection https) {
        settings.caBundle().ifPresent(ca -> https.setSSLSocketFactory(ca.sockets()));
      }
      http.setRequestProperty("Authorization", "Bearer " + token.reveal());
      http.setConnectTimeout((int) settings.timeout().toMillis());
      http.setReadTimeout((int) readTimeout.toMillis());
      int status = http.getResponseCode();
      // Read to the end and close, error bodies too: only then is the connection reused.
      try (InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream()) {
        return new Answer(
            status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (SSLException e) {
      throw new CredentialException(
          subject
              + ": TLS with the warehouse at "
              + settings.url()
              + " failed; if its certificate comes from a private CA, set "
              + WarehouseSettings.CA_BUNDLE);
    } catch (IOException e) {
      throw new CredentialException(
          subject
              + ": the warehouse at "
              + settings.url()
              + " is unreachable ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")");
    }
  }

  /** {@code {"name","version","value"}} for one field, {@code {..., "data": {field: value}}}. */
  private Secret value(String id, String name, Optional<String> field, Map<String, Object> json) {
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

  /** One answer of the warehouse; its body is never put in a message (it may hold a value). */
  private record Answer(int status, String body) {
    /** Never the body: a 200 carries the value. */
    @Override
    public String toString() {
      return "Answer[status=" + status + ", " + body.length() + " chars]";
    }

    Optional<Map<String, Object>> json() {
      try {
        return Optional.of(JSONObjectUtils.parse(body));
      } catch (ParseException | RuntimeException e) {
        return Optional.empty(); // the message could quote the body
      }
    }

    Optional<String> errorCode() {
      return json()
          .map(j -> j.get("error"))
          .filter(Map.class::isInstance)
          .map(e -> ((Map<?, ?>) e).get("code"))
          .filter(String.class::isInstance)
          .map(String.class::cast);
    }
  }

  private static String subject(String id) {
    return "warehouse credential " + id;
  }

  private static CredentialException fail(String id, String why) {
    return new CredentialException(subject(id) + ": " + why);
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
