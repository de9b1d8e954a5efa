package io.secretless.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The connectors secretless.yml may name (CyberArk Secretless Broker's set), the credentials each
 * one cannot work without, and which of them are HTTP connectors that may share one listener.
 * Static knowledge: the loader validates against it whether or not an implementation is on the
 * class path; the broker reports a missing implementation when it starts.
 */
public final class ConnectorCatalog {
  /**
   * One connector.
   *
   * @param required groups of credential names; each group needs at least one of its names ({@code
   *     [host, address]} means "host or address")
   * @param sharesListener an HTTP connector: several services may listen on one address
   */
  public record Entry(
      String name, Set<String> aliases, List<List<String>> required, boolean sharesListener) {
    /** The groups of which {@code credentials} holds no name, as "host or address". */
    public List<String> missing(Set<String> credentials) {
      List<String> out = new ArrayList<>();
      for (List<String> group : required) {
        if (group.stream().noneMatch(credentials::contains)) {
          out.add(String.join(" or ", group));
        }
      }
      return out;
    }
  }

  private static final List<Entry> ENTRIES =
      List.of(
          stream("pg", Set.of("postgres", "postgresql"), List.of("host", "address"), "username"),
          stream("mysql", Set.of(), List.of("host", "address"), "username"),
          stream("mssql", Set.of(), List.of("host", "address"), "username"),
          stream("ssh", Set.of(), "address", "user"),
          stream("ssh-agent", Set.of(), "privateKey"),
          http("generic_http"),
          http("basic_auth", "username", "password"),
          http("aws", "accessKeyId", "secretAccessKey"),
          http("conjur"),
          http("oauth1", "consumer_key", "consumer_secret"));

  private ConnectorCatalog() {}

  public static List<Entry> entries() {
    return ENTRIES;
  }

  /** The connector called {@code name} or one of its aliases, case-insensitively. */
  public static Optional<Entry> find(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return ENTRIES.stream().filter(e -> e.name().equals(n) || e.aliases().contains(n)).findFirst();
  }

  /** Every name and alias, sorted. */
  public static List<String> names() {
    Set<String> names = new TreeSet<>();
    for (Entry e : ENTRIES) {
      names.add(e.name());
      names.addAll(e.aliases());
    }
    return List.copyOf(names);
  }

  /** Whether {@code connector} is a known HTTP connector (several services per listener). */
  public static boolean sharesListener(String connector) {
    return find(connector).map(Entry::sharesListener).orElse(false);
  }

  /** The HTTP connectors' names, sorted. */
  public static List<String> httpConnectors() {
    return ENTRIES.stream().filter(Entry::sharesListener).map(Entry::name).sorted().toList();
  }

  private static Entry stream(String name, Set<String> aliases, Object... required) {
    return new Entry(name, aliases, groups(required), false);
  }

  private static Entry http(String name, Object... required) {
    return new Entry(name, Set.of(), groups(required), true);
  }

  private static List<List<String>> groups(Object... required) {
    List<List<String>> groups = new ArrayList<>();
    for (Object r : required) {
      if (r instanceof List<?> alternatives) {
        groups.add(alternatives.stream().map(Object::toString).toList());
      } else {
        groups.add(List.of(r.toString()));
      }
    }
    return List.copyOf(groups);
  }
}
