package io.secretless.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads secretless.yml: CyberArk version 2 (services map), the list form with {@code
 * authentication:}, and version 1 (listeners/handlers, converted). {@code ${VAR}} is expanded from
 * the environment first. The result is fully validated, or a {@link ConfigException} carries every
 * error found, each as {@code FILE:LINE:COL: message}. No message ever contains a literal
 * credential or the value of an environment variable.
 */
public final class ConfigLoader {
  private static final List<String> VERSIONS = List.of("2", "1");

  private ConfigLoader() {}

  /** Loads {@code file} with the process environment. */
  public static BrokerConfig load(Path file) {
    return load(file, System.getenv());
  }

  public static BrokerConfig load(Path file, Map<String, String> env) {
    return load(file, env, Set.of());
  }

  /**
   * @param extraProviders credential provider names known besides {@link #builtInProviders()}
   *     (those found on the class path, say)
   */
  public static BrokerConfig load(Path file, Map<String, String> env, Set<String> extraProviders) {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(Position.unknown(name), "config file not found");
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          Position.unknown(name), "cannot read config file: permission denied");
    } catch (CharacterCodingException e) {
      throw new ConfigException(Position.unknown(name), "config file is not valid UTF-8 text");
    } catch (IOException e) {
      String reason = Files.isDirectory(file) ? "it is a directory" : e.getClass().getSimpleName();
      throw new ConfigException(Position.unknown(name), "cannot read config file: " + reason);
    }
    return parse(text, name, file, env, extraProviders);
  }

  /** Parses YAML text as if read from {@code fileName}; for tests and {@code config check -}. */
  public static BrokerConfig parse(String yaml, String fileName, Map<String, String> env) {
    return parse(yaml, fileName, env, Set.of());
  }

  public static BrokerConfig parse(
      String yaml, String fileName, Map<String, String> env, Set<String> extraProviders) {
    Path source;
    try {
      source = Path.of(fileName);
    } catch (InvalidPathException e) {
      source = Path.of("secretless.yml");
    }
    return parse(yaml, fileName, source, env, extraProviders);
  }

  /** The credential providers every build knows: literal, env, file, warehouse. */
  public static Set<String> builtInProviders() {
    return CredentialReader.BUILT_IN_PROVIDERS;
  }

  private static BrokerConfig parse(
      String yaml, String fileName, Path source, Map<String, String> env, Set<String> providers) {
    Diagnostics diagnostics = new Diagnostics(fileName);
    Optional<YamlValue> root = new YamlReader(diagnostics, new EnvExpander(env)).read(yaml);
    List<ServiceChecks.Read> services = List.of();
    if (root.isEmpty() || root.get() instanceof YamlValue.Scalar s && s.isNull()) {
      if (!diagnostics.hasErrors()) {
        diagnostics.error(
            diagnostics.start(), "the file is empty; it needs version: \"2\" and services:");
      }
    } else if (root.get() instanceof YamlValue.Mapping mapping) {
      services =
          read(
              new Section(mapping, "the file", diagnostics.start(), diagnostics),
              diagnostics,
              providers);
    } else {
      diagnostics.error(
          root.get().position(),
          "the file must be a mapping with version: \"2\" and services:, not " + root.get().kind());
    }
    if (diagnostics.hasErrors()) {
      throw new ConfigException(diagnostics.errors());
    }
    return new BrokerConfig(
        source,
        services.stream().map(ServiceChecks.Read::service).toList(),
        diagnostics.warnings());
  }

  private static List<ServiceChecks.Read> read(
      Section root, Diagnostics diagnostics, Set<String> providers) {
    CredentialReader credentials = new CredentialReader(diagnostics, providers);
    ServiceChecks checks = new ServiceChecks(diagnostics);
    boolean v1Keys = root.has("listeners") || root.has("handlers");
    Optional<YamlValue.Scalar> version = root.scalar("version");
    String v = version.map(YamlValue.Scalar::value).orElse(v1Keys ? "1" : "");
    if (version.isPresent() && !VERSIONS.contains(v)) {
      diagnostics.error(
          version.get().position(),
          "unsupported version '" + version.get().shown() + "'; " + supported());
      return List.of();
    }
    if (v.isEmpty() && root.value("version").isEmpty()) {
      diagnostics.error(root.keyPosition("version"), "missing 'version'; " + supported());
    }
    List<ServiceChecks.Read> services =
        v.equals("1")
            ? new V1Converter(diagnostics, credentials, checks).convert(root)
            : new V2Reader(diagnostics, new ServiceReader(diagnostics, credentials, checks))
                .read(root);
    checks.listeners(services);
    return services;
  }

  private static String supported() {
    return "supported versions: \"2\" (services:) and \"1\" (listeners: and handlers:,"
        + " deprecated; the version key may be left out)";
  }
}
