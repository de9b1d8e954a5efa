package io.secretless.config;

import io.secretless.core.SecretlessException;
import java.util.List;
import java.util.stream.Collectors;

/** A config file is invalid; carries every error found, not just the first. */
public final class ConfigException extends SecretlessException {
  private final List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public ConfigException(Position position, String message) {
    this(List.of(new ConfigError(position, message)));
  }

  public List<ConfigError> errors() {
    return errors;
  }
}
