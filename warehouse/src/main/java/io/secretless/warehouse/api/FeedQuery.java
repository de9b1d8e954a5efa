package io.secretless.warehouse.api;

import io.secretless.warehouse.ChangeFeed;
import io.secretless.warehouse.WarehouseException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query of {@code GET /v1/changes}: {@code after} (an audit seq, a previous answer's {@code
 * next}; absent: ask for the starting point) and {@code wait} ({@code 30s}, {@code 500ms}, {@code
 * 1m} or whole seconds; default 0, at most {@link ChangeFeed#MAX_WAIT}).
 */
record FeedQuery(OptionalLong after, Duration waitFor) {
  private static final Pattern WAIT = Pattern.compile("(\\d{1,6})(ms|s|m)?");

  static FeedQuery parse(Optional<String> after, Optional<String> wait) {
    return new FeedQuery(
        after.map(FeedQuery::parseAfter).orElse(OptionalLong.empty()),
        wait.map(FeedQuery::parseWait).orElse(Duration.ZERO));
  }

  private static OptionalLong parseAfter(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw WarehouseException.badRequest(
          "after must be an audit seq (a whole number from a previous answer's next), got '"
              + clip(text)
              + "'");
    }
    return OptionalLong.of(Long.parseLong(text));
  }

  private static Duration parseWait(String text) {
    Matcher m = WAIT.matcher(text);
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
          };
    }
    if (d == null || d.compareTo(ChangeFeed.MAX_WAIT) > 0) {
      throw WarehouseException.badRequest(
          "wait must be a duration of at most "
              + ChangeFeed.MAX_WAIT.toSeconds()
              + "s such as 30s, 500ms or 1m, got '"
              + clip(text)
              + "'");
    }
    return d;
  }

  private static String clip(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
