package io.secretless.warehouse;

import java.util.Map;

/** A decrypted credential: its metadata and its data fields. {@code toString} hides the data. */
public record Revealed(Credential credential, Map<String, String> data) {
  @Override
  public String toString() {
    return "Revealed["
        + credential.name()
        + " v"
        + credential.version()
        + ", fields="
        + data.keySet()
        + "]";
  }
}
