package dev.stepgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML mapping read with positions, so that every problem names {@code file:line:col: key}.
 * Problems are collected, never thrown one at a time: the caller reports all of them at once.
 */
final class YamlTree {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final String file;
  private final List<String> problems;
  private final Function<String, String> env;

  YamlTree(String file, List<String> problems, Function<String, String> env) {
    this.file = file;
    this.problems = problems;
    this.env = env;
  }

  /** Parses {@code text} into its root mapping; a syntax error is recorded and yields empty. */
  Optional<MappingNode> root(String text) {
    var options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit(1 << 20);
    try {
      Node node = new Yaml(options).compose(new java.io.StringReader(text));
      if (node == null) return Optional.of(new MappingNode(null, List.of(), null));
      if (node instanceof MappingNode m) return Optional.of(m);
      problem(node, "(root)", "must be a mapping of keys to values");
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      var what = e.getProblem() != null ? e.getProblem() : "malformed YAML";
      problems.add(where(mark) + "(yaml): " + what.trim());
    } catch (RuntimeException e) {
      problems.add(file + ":1:1: (yaml): malformed YAML");
    }
    return Optional.empty();
  }

  /** The entries of {@code map}, refusing keys outside {@code allowed}. */
  Map<String, Node> entries(MappingNode map, String path, Set<String> allowed) {
    var out = new LinkedHashMap<String, Node>();
    for (var tuple : map.getValue()) {
      var keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode k)) {
        problem(keyNode, path, "keys must be plain strings");
        continue;
      }
      var key = k.getValue();
      var full = path.isEmpty() ? key : path + "." + key;
      if (out.containsKey(key)) {
        problem(keyNode, full, "duplicate key");
        continue;
      }
      if (!allowed.contains(key)) {
        problem(keyNode, full, "unknown key (allowed: " + String.join(", ", sorted(allowed)) + ")");
        continue;
      }
      out.put(key, tuple.getValueNode());
    }
    return out;
  }

  Optional<MappingNode> mapping(Node node, String key) {
    if (node instanceof MappingNode m) return Optional.of(m);
    if (isNull(node)) return Optional.empty();
    problem(node, key, "must be a mapping");
    return Optional.empty();
  }

  /** A scalar value with {@code ${ENV}} substituted; empty (and a problem) otherwise. */
  Optional<String> string(Node node, String key) {
    if (!(node instanceof ScalarNode s)) {
      problem(node, key, "must be a single value");
      return Optional.empty();
    }
    var raw = s.getValue();
    Matcher m = ENV.matcher(raw);
    var sb = new StringBuilder();
    while (m.find()) {
      var value = env.apply(m.group(1));
      if (value == null) {
        problem(node, key, "environment variable " + m.group(1) + " is not set");
        return Optional.empty();
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return Optional.of(sb.toString());
  }

  List<String> strings(Node node, String key) {
    if (isNull(node)) return List.of();
    if (!(node instanceof SequenceNode seq)) {
      problem(node, key, "must be a list");
      return List.of();
    }
    var out = new ArrayList<String>();
    for (var item : seq.getValue()) string(item, key).ifPresent(out::add);
    return out;
  }

  /** Parses with {@code parser}; an IllegalArgumentException's message becomes the problem. */
  <T> Optional<T> value(Node node, String key, Function<String, T> parser) {
    return string(node, key)
        .flatMap(
            text -> {
              try {
                return Optional.of(parser.apply(text));
              } catch (IllegalArgumentException e) {
                problem(node, key, e.getMessage());
                return Optional.empty();
              }
            });
  }

  void problem(Node node, String key, String message) {
    var mark = node == null ? null : node.getStartMark();
    problems.add(where(mark) + key + ": " + message);
  }

  String where(Mark mark) {
    if (mark == null) return file + ":1:1: ";
    return file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": ";
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
  }

  private static List<String> sorted(Set<String> keys) {
    return keys.stream().sorted().toList();
  }
}
