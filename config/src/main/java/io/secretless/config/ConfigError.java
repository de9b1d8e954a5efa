package io.secretless.config;

/** One problem in a config file, printed as {@code FILE:LINE:COL: message}. */
public record ConfigError(Position position, String message) {
  @Override
  public String toString() {
    return position + ": " + message;
  }
}
