package io.secretless.warehouse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A minimal HTTP client of the warehouse API for tests. */
public final class TestApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public TestApi(String base) {
    this.base = base;
  }

  /** A response: status and parsed JSON body (null node when empty). */
  public record Reply(int status, JsonNode body) {
    public String errorCode() {
      return body.path("error").path("code").asText();
    }
  }

  public String token(String clientId, String secret) {
    Reply r = tokenRequest(clientId, secret, false);
    if (r.status() != 200) {
      throw new AssertionError("token request for " + clientId + " failed: " + r);
    }
    return r.body().path("access_token").asText();
  }

  public Reply tokenRequest(String clientId, String secret, boolean post) {
    var b =
        HttpRequest.newBuilder(URI.create(base + "/v1/oauth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded");
    String form = "grant_type=client_credentials";
    if (post) {
      form += "&client_id=" + clientId + "&client_secret=" + secret;
    } else {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
    }
    return send(b.POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  public Reply get(String token, String path) {
    return send(auth(HttpRequest.newBuilder(URI.create(base + path)), token).GET().build());
  }

  public Reply delete(String token, String path) {
    return send(auth(HttpRequest.newBuilder(URI.create(base + path)), token).DELETE().build());
  }

  public Reply post(String token, String path, Object body) {
    try {
      String json = body instanceof String s ? s : JSON.writeValueAsString(body);
      return send(
          auth(HttpRequest.newBuilder(URI.create(base + path)), token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json))
              .build());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpRequest.Builder auth(HttpRequest.Builder b, String token) {
    b.timeout(Duration.ofSeconds(30)).header("User-Agent", "warehouse-it");
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body = r.body().length == 0 ? JSON.nullNode() : JSON.readTree(r.body());
      return new Reply(r.statusCode(), body);
    } catch (IOException e) {
      throw new AssertionError("request " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
