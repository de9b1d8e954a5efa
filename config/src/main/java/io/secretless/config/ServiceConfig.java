package io.secretless.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One service: a listener, the connector that speaks its protocol, and the credentials it uses.
 *
 * @param credentials credential name to where its value comes from, in file order
 * @param config the connector-specific {@code config} mapping, untyped; connectors read it
 * @param credentialValidations credential name to the pattern its value must match in full
 * @param authentication token sources (list form); empty for other forms
 */
public record ServiceConfig(
    String name,
    String connector,
    ListenAddress listenOn,
    Map<String, CredentialRef> credentials,
    ConfigTree config,
    Map<String, Pattern> credentialValidations,
    List<OAuth2Authentication> authentication,
    Position position) {

  /**
   * Keys of {@code config:} that the broker core reads for every connector (timeouts, limits, unix
   * socket mode) or the loader consumes; connectors accept them and validate only their own.
   */
  public static final java.util.Set<String> BROKER_CONFIG_KEYS =
      java.util.Set.of(
          "connectTimeout",
          "idleTimeout",
          "handshakeTimeout",
          "maxConnections",
          "socketMode",
          "credentialValidations",
          "authenticateURLsMatching");
}
