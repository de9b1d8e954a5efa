package io.secretless.warehouse;

import java.util.Locale;

/**
 * What a grant allows on one credential. The owner and the {@code admin} role hold every right
 * implicitly, including the ones no grant can carry: granting, revoking and deleting.
 */
public enum Permission {
  READ,
  ROTATE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Permission parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw WarehouseException.badRequest("unknown permission '" + text + "'; use read or rotate");
    }
  }
}
