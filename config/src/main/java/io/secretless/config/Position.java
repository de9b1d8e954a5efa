package io.secretless.config;

/** Where something stands in a config file; prints as {@code FILE:LINE:COL} (1-based). */
public record Position(String file, int line, int column) {
  public static Position unknown(String file) {
    return new Position(file, 0, 0);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
