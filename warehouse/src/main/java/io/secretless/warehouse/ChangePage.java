package io.secretless.warehouse;

import java.util.List;

/**
 * One answer of the change feed: {@code changes} in seq order, and {@code next}, the seq to ask
 * after next time (the newest audit record looked at, whether or not it was a change).
 */
public record ChangePage(long next, List<Change> changes) {
  public ChangePage {
    changes = List.copyOf(changes);
  }
}
