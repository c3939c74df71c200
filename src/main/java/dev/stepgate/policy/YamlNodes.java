package dev.stepgate.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads snakeyaml nodes of one policy file and collects every problem with its position, so a
 * file is reported completely in one pass (Authelia-style validation).
 */
final class YamlNodes {
  private final String file;
  private final List<Problem> problems = new ArrayList<>();
  private final List<Problem> warnings = new ArrayList<>();

  private record Problem(Location at, String text) {}

  YamlNodes(String file) {
    this.file = file;
  }

  int problemCount() {
    return problems.size();
  }

  /** This file's problems in position order, each as {@code file:line:col: message}. */
  List<String> problems() {
    return inOrder(problems);
  }

  /** This file's warnings (valid, but probably not what was meant), in position order. */
  List<String> warnings() {
    return inOrder(warnings);
  }

  private static List<String> inOrder(List<Problem> problems) {
    return problems.stream()
        .sorted(Comparator.comparingInt((Problem p) -> p.at.line()).thenComparingInt(p -> p.at.column()))
        .map(Problem::text)
        .toList();
  }

  Location at(Node node) {
    return at(node.getStartMark());
  }

  Location at(Mark mark) {
    return mark == null
        ? new Location(file, 1, 1)
        : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** Records {@code loc: where: message}, or {@code loc: message} when where is empty. */
  void problem(Node node, String where, String message) {
    problem(at(node), where, message);
  }

  void problem(Location loc, String where, String message) {
    problems.add(new Problem(loc, loc + ": " + (where.isEmpty() ? "" : where + ": ") + message));
  }

  /** Records a warning {@code loc: where: message}: the file stays usable. */
  void warning(Node node, String where, String message) {
    Location loc = at(node);
    warnings.add(new Problem(loc, loc + ": " + where + ": " + message));
  }

  /**
   * The entries of a mapping, keyed by their scalar key. Unknown, duplicate and non-string keys
   * are reported and left out. Returns empty (after reporting) when {@code node} is not a mapping.
   */
  Optional<Map<String, Node>> mapping(Node node, String where, List<String> allowed, String shape) {
    if (!(node instanceof MappingNode)) {
      problem(node, where, "expected a mapping with " + shape);
      return Optional.empty();
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      Node k = t.getKeyNode();
      if (!(k instanceof ScalarNode)) {
        problem(k, where, "keys must be plain strings");
        continue;
      }
      String key = ((ScalarNode) k).getValue();
      if (!allowed.contains(key)) {
        problem(k, where, "unknown key '" + key + "' (expected " + String.join(", ", allowed) + ")");
      } else if (out.containsKey(key)) {
        problem(k, where, "duplicate key '" + key + "'");
      } else {
        out.put(key, t.getValueNode());
      }
    }
    return Optional.of(out);
  }

  /** A non-empty string scalar, or empty after reporting why not. */
  Optional<String> string(Node node, String where) {
    if (!(node instanceof ScalarNode)) {
      problem(node, where, "expected a string");
      return Optional.empty();
    }
    ScalarNode s = (ScalarNode) node;
    if (Tag.NULL.equals(s.getTag()) || s.getValue().isBlank()) {
      problem(node, where, "must not be empty");
      return Optional.empty();
    }
    return Optional.of(s.getValue());
  }

  /** The items of a non-empty sequence, or empty after reporting why not. */
  Optional<List<Node>> list(Node node, String where) {
    if (!(node instanceof SequenceNode)) {
      problem(node, where, "expected a list");
      return Optional.empty();
    }
    List<Node> items = new ArrayList<>(((SequenceNode) node).getValue());
    if (items.isEmpty()) {
      problem(node, where, "must not be empty");
      return Optional.empty();
    }
    return Optional.of(items);
  }
}
