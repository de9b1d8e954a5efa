package io.secretless.warehouse.store;

/**
 * Multi-row statements of a fixed set of sizes: a batch of n rows is written as a few statements of
 * the largest sizes that fit, so each connection keeps only a handful of prepared shapes.
 */
public final class MultiRow {
  private MultiRow() {}

  /**
   * The index of the largest of {@code sizes} (descending, ending in 1) that is at most {@code
   * left}.
   */
  public static int chunk(int left, int[] sizes) {
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] <= left) {
        return i;
      }
    }
    throw new IllegalArgumentException("no chunk size fits " + left);
  }

  /** {@code (?,?,..),(?,?,..)}: {@code rows} groups of {@code columns} placeholders. */
  public static String placeholders(int rows, int columns) {
    String group = "(" + "?,".repeat(columns - 1) + "?)";
    var sb = new StringBuilder(rows * (group.length() + 1));
    for (int i = 0; i < rows; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(group);
    }
    return sb.toString();
  }
}
