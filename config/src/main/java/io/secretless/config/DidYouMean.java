package io.secretless.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Suggests the intended word for a misspelt key or name: first a small table of mistakes people
 * make that edit distance cannot catch (other tools' names for the same thing), then the same word
 * ignoring case, '_' and '-', then the closest word by edit distance within a budget that grows
 * with the length of the word.
 */
final class DidYouMean {
  private static final Map<String, String> KNOWN_MISTAKES =
      Map.ofEntries(
          Map.entry("credentialpatterns", "credentialValidations"),
          Map.entry("credentialregex", "credentialValidations"),
          Map.entry("validations", "credentialValidations"),
          Map.entry("protocol", "connector"),
          Map.entry("type", "connector"),
          Map.entry("listen", "listenOn"),
          Map.entry("address", "listenOn"),
          Map.entry("listener", "listenOn"),
          Map.entry("provider", "from"),
          Map.entry("id", "get"),
          Map.entry("match", "authenticateURLsMatching"),
          Map.entry("urls", "authenticateURLsMatching"),
          Map.entry("urlsmatching", "authenticateURLsMatching"),
          Map.entry("tokenendpoint", "token_url"),
          Map.entry("secret", "client_secret"),
          Map.entry("postgresql", "pg"),
          Map.entry("http", "generic_http"));

  private DidYouMean() {}

  /** The candidate the user most likely meant by {@code word}, if any is close enough. */
  static Optional<String> suggest(String word, Collection<String> candidates) {
    String lower = word.toLowerCase(Locale.ROOT);
    String mistake = KNOWN_MISTAKES.get(lower);
    if (mistake != null && candidates.contains(mistake)) {
      return Optional.of(mistake);
    }
    String normal = normalize(word);
    for (String candidate : candidates) {
      if (normalize(candidate).equals(normal)) {
        return Optional.of(candidate);
      }
    }
    int budget = lower.length() <= 4 ? 1 : lower.length() <= 8 ? 2 : 3;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(lower, candidate.toLowerCase(Locale.ROOT), budget);
      if (d <= budget && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** "unknown key 'x'; did you mean 'y'?" or the list of what is allowed there. */
  static String unknown(String what, String word, Collection<String> candidates) {
    return "unknown "
        + what
        + " '"
        + word
        + "'"
        + suggest(word, candidates)
            .map(s -> "; did you mean '" + s + "'?")
            .orElse("; expected one of: " + String.join(", ", candidates));
  }

  /**
   * For a closed set of names (connectors, providers): the suggestion if any, and always the full
   * list, as "unknown connector 'pgg'; did you mean 'pg'? (known connectors: ...)".
   */
  static String unknownName(String what, String word, Collection<String> candidates) {
    String known = "known " + what + "s: " + String.join(", ", candidates);
    return "unknown "
        + what
        + " '"
        + word
        + "'"
        + suggest(word, candidates)
            .map(s -> "; did you mean '" + s + "'? (" + known + ")")
            .orElse("; " + known);
  }

  private static String normalize(String word) {
    return word.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /**
   * Edit distance counting an insertion, deletion, substitution or swap of neighbours as one
   * (optimal string alignment); gives up with budget + 1 once it cannot be within budget.
   */
  static int distance(String a, String b, int budget) {
    if (Math.abs(a.length() - b.length()) > budget) {
      return budget + 1;
    }
    int[] before = new int[b.length() + 1];
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMin = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int d = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d = Math.min(d, before[j - 2] + 1);
        }
        current[j] = d;
        rowMin = Math.min(rowMin, d);
      }
      if (rowMin > budget) {
        return budget + 1;
      }
      int[] swap = before;
      before = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
