package io.secretless.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The list form's {@code authentication: - type: oauth2} entries. */
final class OAuth2Reader {
  private static final List<String> ENTRY_KEYS = List.of("type", "config");
  private static final List<String> CONFIG_KEYS =
      List.of(
          "token_url",
          "client_id",
          "client_secret",
          "scope",
          "client_auth",
          "audience",
          "ca_bundle",
          "expiry_skew_seconds",
          "default_lifetime_seconds",
          "timeout_seconds",
          "max_attempts",
          "retry_backoff_millis");
  private static final List<String> TYPES = List.of("oauth2");
  private static final List<String> CLIENT_AUTH =
      List.of("client_secret_basic", "client_secret_post", "private_key_jwt");

  private final Diagnostics diagnostics;
  private final CredentialReader credentials;

  OAuth2Reader(Diagnostics diagnostics, CredentialReader credentials) {
    this.diagnostics = diagnostics;
    this.credentials = credentials;
  }

  List<OAuth2Authentication> readAll(Section service, String serviceName) {
    List<OAuth2Authentication> out = new ArrayList<>();
    Optional<YamlValue.Sequence> list = service.sequence("authentication");
    if (list.isEmpty()) {
      return out;
    }
    for (YamlValue item : list.get().items()) {
      if (item instanceof YamlValue.Mapping m) {
        String what = "authentication of service " + serviceName;
        read(new Section(m, what, m.position(), diagnostics), serviceName).ifPresent(out::add);
      } else {
        diagnostics.error(
            item.position(),
            "an authentication entry must be a mapping with type: and config:, not " + item.kind());
      }
    }
    return List.copyOf(out);
  }

  private Optional<OAuth2Authentication> read(Section entry, String serviceName) {
    entry.allowOnly(ENTRY_KEYS);
    Optional<YamlValue.Scalar> type = entry.requiredScalar("type");
    if (type.isPresent() && !TYPES.contains(type.get().value())) {
      diagnostics.error(
          type.get().position(),
          DidYouMean.unknown("authentication type", type.get().shown(), TYPES));
      return Optional.empty();
    }
    Optional<YamlValue.Mapping> config = entry.mappingValue("config");
    if (config.isEmpty()) {
      if (!entry.has("config") || entry.value("config").isEmpty()) {
        entry.missing("config");
      }
      return Optional.empty();
    }
    Section section =
        new Section(
            config.get(),
            "oauth2 config of service " + serviceName,
            entry.keyPosition("config"),
            diagnostics);
    section.allowOnly(CONFIG_KEYS);
    Optional<String> tokenUrl = section.requiredScalar("token_url").flatMap(this::httpUrl);
    Optional<YamlValue.Scalar> clientId = section.requiredScalar("client_id");
    Optional<CredentialRef> secret =
        section.value("client_secret").isEmpty()
            ? missing(section, "client_secret")
            : credentials.read(
                section.value("client_secret").get(),
                "client_secret of service " + serviceName,
                section.keyPosition("client_secret"));
    Optional<String> scope = section.scalar("scope").map(YamlValue.Scalar::value);
    String clientAuth =
        section.scalar("client_auth").map(this::clientAuth).orElse(CLIENT_AUTH.get(0));
    if (tokenUrl.isEmpty() || clientId.isEmpty() || secret.isEmpty() || type.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new OAuth2Authentication(
            tokenUrl.get(),
            clientId.get().value(),
            secret.get(),
            scope,
            clientAuth,
            ConfigBlockReader.tree(config.get(), Set.of("client_secret")),
            entry.mapping().position()));
  }

  private Optional<CredentialRef> missing(Section section, String key) {
    section.missing(key);
    return Optional.empty();
  }

  private Optional<String> httpUrl(YamlValue.Scalar s) {
    try {
      URI uri = new URI(s.value());
      String scheme =
          uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.of(s.value());
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    diagnostics.error(
        s.position(),
        "token_url must be an http(s) URL such as https://auth.example.com/oauth2/token, got '"
            + s.shown()
            + "'");
    return Optional.empty();
  }

  private String clientAuth(YamlValue.Scalar s) {
    if (!CLIENT_AUTH.contains(s.value())) {
      diagnostics.error(s.position(), DidYouMean.unknown("client_auth", s.shown(), CLIENT_AUTH));
    }
    return s.value();
  }
}
