package io.secretless.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads YAML text into {@link YamlValue}s with positions, using SnakeYAML Engine at the node level
 * and expanding {@code ${VAR}} in every value (not in keys). Duplicate keys, non-scalar keys,
 * recursive aliases and absurd nesting are reported, not thrown.
 */
final class YamlReader {
  private static final int MAX_DEPTH = 64;
  private static final int MAX_NODES = 100_000;

  private final Diagnostics diagnostics;
  private final EnvExpander expander;
  private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
  private int nodes;

  YamlReader(Diagnostics diagnostics, EnvExpander expander) {
    this.diagnostics = diagnostics;
    this.expander = expander;
  }

  /** The document's root, or empty when the text is not YAML (reported) or holds no document. */
  Optional<YamlValue> read(String text) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(diagnostics.file())
            .setSchema(new CoreSchema())
            .setMaxAliasesForCollections(20)
            .setCodePointLimit(1024 * 1024)
            .setAllowRecursiveKeys(false)
            .setUseMarks(true)
            .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Position where =
          e.getProblemMark().or(e::getContextMark).map(this::position).orElse(diagnostics.start());
      diagnostics.error(where, "not valid YAML: " + describe(e));
      return Optional.empty();
    } catch (YamlEngineException e) {
      diagnostics.error(diagnostics.start(), "not valid YAML: " + e.getMessage());
      return Optional.empty();
    }
    return root.map(node -> convert(node, 0));
  }

  private static String describe(MarkedYamlEngineException e) {
    // The problem and context only: getMessage() adds a snippet of the file, which may hold a
    // secret written inline.
    String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
    String context = e.getContext();
    if (context == null) {
      return problem;
    }
    return context.startsWith("while") ? problem + " (" + context + ")" : context + " " + problem;
  }

  private YamlValue convert(Node node, int depth) {
    Position position = position(node);
    if (++nodes > MAX_NODES) {
      diagnostics.errorOnce(position, "the document is too large (more than 100000 nodes)");
      return nullScalar(position);
    }
    if (depth > MAX_DEPTH) {
      diagnostics.errorOnce(position, "nesting is deeper than " + MAX_DEPTH + " levels");
      return nullScalar(position);
    }
    if (!open.add(node)) {
      diagnostics.errorOnce(position, "an alias refers to a node that contains it (recursion)");
      return nullScalar(position);
    }
    try {
      return switch (node) {
        case ScalarNode scalar -> scalar(scalar, position);
        case SequenceNode sequence -> sequence(sequence, position, depth);
        case MappingNode mapping -> mapping(mapping, position, depth);
        default -> nullScalar(position);
      };
    } finally {
      open.remove(node);
    }
  }

  private YamlValue sequence(SequenceNode node, Position position, int depth) {
    List<YamlValue> items = new ArrayList<>();
    for (Node item : node.getValue()) {
      items.add(convert(item, depth + 1));
    }
    return new YamlValue.Sequence(List.copyOf(items), position);
  }

  private YamlValue mapping(MappingNode node, Position position, int depth) {
    List<YamlValue.Entry> entries = new ArrayList<>();
    for (NodeTuple tuple : node.getValue()) {
      Node keyNode = tuple.getKeyNode();
      Position keyPosition = position(keyNode);
      if (!(keyNode instanceof ScalarNode keyScalar)) {
        diagnostics.error(keyPosition, "a key must be plain text, not a mapping or a list");
        continue;
      }
      String key = keyScalar.getValue();
      Optional<YamlValue.Entry> first =
          entries.stream().filter(e -> e.key().equals(key)).findFirst();
      if (first.isPresent()) {
        Position at = first.get().keyPosition();
        diagnostics.error(
            keyPosition,
            "duplicate key '" + key + "' (first at line " + at.line() + ":" + at.column() + ")");
        continue;
      }
      entries.add(new YamlValue.Entry(key, keyPosition, convert(tuple.getValueNode(), depth + 1)));
    }
    return new YamlValue.Mapping(List.copyOf(entries), position);
  }

  private YamlValue scalar(ScalarNode node, Position position) {
    String raw = node.getValue();
    EnvExpander.Expansion expansion =
        expander.expand(raw, message -> diagnostics.errorOnce(position, message));
    if (expansion.substituted() || !expansion.value().equals(raw)) {
      return new YamlValue.Scalar(
          expansion.value(), raw, expansion.value(), expansion.substituted(), position);
    }
    return new YamlValue.Scalar(raw, raw, typed(node.getTag(), raw), false, position);
  }

  /** The value as YAML's core schema types it; text when an explicit tag does not fit. */
  private static Object typed(Tag tag, String text) {
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    if (Tag.BOOL.equals(tag)) {
      return text.equalsIgnoreCase("true");
    }
    try {
      if (Tag.INT.equals(tag)) {
        String t = text.startsWith("+") ? text.substring(1) : text;
        if (t.startsWith("0o")) {
          return Long.parseLong(t.substring(2), 8);
        }
        if (t.startsWith("0x")) {
          return Long.parseLong(t.substring(2), 16);
        }
        return Long.parseLong(t);
      }
      if (Tag.FLOAT.equals(tag)) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
          case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
          case "-.inf" -> Double.NEGATIVE_INFINITY;
          case ".nan" -> Double.NaN;
          default -> Double.parseDouble(text);
        };
      }
    } catch (NumberFormatException e) {
      return text;
    }
    return text;
  }

  private static YamlValue nullScalar(Position position) {
    return new YamlValue.Scalar("", "", null, false, position);
  }

  private Position position(Node node) {
    return node.getStartMark().map(this::position).orElse(diagnostics.start());
  }

  private Position position(Mark mark) {
    return new Position(diagnostics.file(), mark.getLine() + 1, mark.getColumn() + 1);
  }
}
