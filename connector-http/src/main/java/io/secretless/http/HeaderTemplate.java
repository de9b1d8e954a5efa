package io.secretless.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The subset of Go's text/template that CyberArk Secretless users write in {@code headers} and
 * {@code queryParams}: literal text with actions such as {@code {{ .apikey }}}, {@code {{ base64
 * .token }}} and {@code {{ printf "%s:%s" .username .password | base64 }}}. Compiled once when a
 * listener opens; rendering is a walk over the parts with no parsing.
 */
final class HeaderTemplate {
  private final String source;
  private final List<Part> parts;
  private final Set<String> references;

  private HeaderTemplate(String source, List<Part> parts, Set<String> references) {
    this.source = source;
    this.parts = parts;
    this.references = references;
  }

  /** Thrown for a template that does not parse; the message says what and where in the text. */
  static final class TemplateSyntaxException extends IllegalArgumentException {
    TemplateSyntaxException(String message) {
      super(message);
    }
  }

  /** Compiles {@code source}; throws {@link TemplateSyntaxException} with a specific message. */
  static HeaderTemplate compile(String source) {
    List<Part> parts = new ArrayList<>();
    Set<String> refs = new LinkedHashSet<>();
    int i = 0;
    while (i < source.length()) {
      int open = source.indexOf("{{", i);
      if (open < 0) {
        parts.add(new Literal(source.substring(i)));
        break;
      }
      if (open > i) {
        parts.add(new Literal(source.substring(i, open)));
      }
      int close = source.indexOf("}}", open + 2);
      if (close < 0) {
        throw new TemplateSyntaxException("unclosed action '{{' at character " + (open + 1));
      }
      parts.add(new Parser(source.substring(open + 2, close), refs).pipeline());
      i = close + 2;
    }
    return new HeaderTemplate(source, List.copyOf(parts), Set.copyOf(refs));
  }

  /** Credential names the template reads ({@code .name}). */
  Set<String> references() {
    return references;
  }

  /** Whether the template has no action (a constant). */
  boolean isConstant() {
    return parts.stream().allMatch(p -> p instanceof Literal);
  }

  /** Renders with {@code values}: credential name to value; a missing name renders empty. */
  String render(Function<String, String> values) {
    if (parts.size() == 1 && parts.get(0) instanceof Literal l) {
      return l.text;
    }
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      out.append(part.eval(values));
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "HeaderTemplate[" + source + "]"; // the template text, never rendered values
  }

  private sealed interface Part permits Literal, Field, StringConst, Call {
    String eval(Function<String, String> values);
  }

  private record Literal(String text) implements Part {
    @Override
    public String eval(Function<String, String> values) {
      return text;
    }
  }

  private record Field(String name) implements Part {
    @Override
    public String eval(Function<String, String> values) {
      String v = values.apply(name);
      return v == null ? "" : v;
    }
  }

  private record StringConst(String text) implements Part {
    @Override
    public String eval(Function<String, String> values) {
      return text;
    }
  }

  private record Call(String function, List<Part> args) implements Part {
    @Override
    public String eval(Function<String, String> values) {
      List<String> v = new ArrayList<>(args.size());
      for (Part a : args) {
        v.add(a.eval(values));
      }
      return switch (function) {
        case "base64" ->
            Base64.getEncoder().encodeToString(String.join("", v).getBytes(StandardCharsets.UTF_8));
        case "printf" -> printf(v.get(0), v.subList(1, v.size()));
        default -> throw new IllegalStateException("unknown function " + function);
      };
    }
  }

  /** Go's fmt.Sprintf for the verbs header templates use: %s, %v, %q-free, %%. */
  static String printf(String format, List<String> args) {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char verb = format.charAt(++i);
      if (verb == '%') {
        out.append('%');
      } else if (next < args.size()) {
        out.append(args.get(next++));
      } else {
        out.append("%!").append(verb).append("(MISSING)");
      }
    }
    return out.toString();
  }

  /** Recursive-descent parser of one action's pipeline. */
  private static final class Parser {
    private final String text;
    private final Set<String> refs;
    private int pos;

    Parser(String text, Set<String> refs) {
      this.text = text;
      this.refs = refs;
    }

    Part pipeline() {
      Part value = command(null);
      skipSpace();
      while (pos < text.length() && text.charAt(pos) == '|') {
        pos++;
        value = command(value);
        skipSpace();
      }
      if (pos < text.length()) {
        throw error("unexpected '" + text.substring(pos).strip() + "'");
      }
      return value;
    }

    private Part command(Part piped) {
      skipSpace();
      if (pos >= text.length()) {
        throw error("empty action");
      }
      char c = text.charAt(pos);
      if (c == '.' || c == '"' || c == '`') {
        if (piped != null) {
          throw error("only a function (base64, printf) can follow '|'");
        }
        return operand();
      }
      String fn = identifier();
      if (!fn.equals("base64") && !fn.equals("printf")) {
        throw error("unknown function '" + fn + "' (known: base64, printf)");
      }
      List<Part> args = new ArrayList<>();
      skipSpace();
      while (pos < text.length() && text.charAt(pos) != '|') {
        args.add(operand());
        skipSpace();
      }
      if (piped != null) {
        args.add(piped);
      }
      if (fn.equals("printf") && args.isEmpty()) {
        throw error("printf needs a format string");
      }
      if (fn.equals("base64") && args.size() != 1) {
        throw error("base64 takes exactly one argument");
      }
      return new Call(fn, List.copyOf(args));
    }

    private Part operand() {
      skipSpace();
      char c = text.charAt(pos);
      if (c == '.') {
        pos++;
        String name = identifier();
        refs.add(name);
        return new Field(name);
      }
      if (c == '"' || c == '`') {
        return new StringConst(string(c));
      }
      throw error("expected .name or a quoted string at '" + text.substring(pos).strip() + "'");
    }

    private String string(char quote) {
      StringBuilder out = new StringBuilder();
      pos++;
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == quote) {
          return out.toString();
        }
        if (c == '\\' && quote == '"' && pos < text.length()) {
          char e = text.charAt(pos++);
          out.append(
              switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> e;
              });
        } else {
          out.append(c);
        }
      }
      throw error("unterminated string");
    }

    private String identifier() {
      int start = pos;
      while (pos < text.length()
          && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a name at '" + text.substring(pos).strip() + "'");
      }
      return text.substring(start, pos);
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private TemplateSyntaxException error(String what) {
      return new TemplateSyntaxException("in {{" + text + "}}: " + what);
    }
  }
}
