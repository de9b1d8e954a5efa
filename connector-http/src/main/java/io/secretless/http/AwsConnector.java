package io.secretless.http;

import java.util.Map;
import java.util.Set;

/**
 * {@code aws}: the client signs with dummy credentials (any AWS SDK pointed at the broker as HTTP
 * proxy, http:// endpoint); the broker strips that signature and re-signs the request with SigV4
 * using {@code accessKeyId}, {@code secretAccessKey} and, when present, {@code accessToken} (sent
 * as X-Amz-Security-Token). The body hash is the client's X-Amz-Content-Sha256 when sent; otherwise
 * the body is buffered (up to 16 MiB) to hash it. Upstream is always https.
 */
public final class AwsConnector extends HttpConnector {
  @Override
  public String name() {
    return "aws";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("http/aws");
  }

  @Override
  Map<String, String> defaultHeaders() {
    return Map.of();
  }

  @Override
  Set<String> requiredCredentials() {
    return Set.of("accessKeyId", "secretAccessKey");
  }

  @Override
  boolean signsAws() {
    return true;
  }
}
