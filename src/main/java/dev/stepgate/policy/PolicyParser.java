package dev.stepgate.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Turns policy files into a {@link PolicySet} (SPEC section 3), or reports every problem at once.
 *
 * <pre>
 * version: 1
 * defaults: { require: authenticated }
 * rules:
 *   - name: admin
 *     match: { paths: ["/admin/**"] }
 *     require: step_up
 *     allow: { groups: [admins] }
 *   - name: change-email
 *     match: { methods: [POST], paths: ["/account/email"] }
 *     require: step_up
 *     max_age: 5m
 * </pre>
 */
public final class PolicyParser {
  /** The requirement of unmatched requests when no file sets {@code defaults}. */
  public static final Requirement DEFAULT_REQUIREMENT = Requirement.AUTHENTICATED;

  private static final int MAX_FILE_CODE_POINTS = 32 * 1024 * 1024;
  private static final List<String> TOP_KEYS = List.of("version", "defaults", "rules");

  private PolicyParser() {}

  /**
   * Parses {@code sources} in the order given (callers pass files in lexical order); rules keep
   * that order across files.
   *
   * @param caseInsensitive fold letter case when matching paths (the upstream ignores it)
   * @throws PolicyException listing every problem as {@code file:line:col: message}
   */
  public static PolicySet parse(List<PolicySource> sources, boolean caseInsensitive) {
    Objects.requireNonNull(sources, "sources");
    if (sources.isEmpty()) throw new PolicyException(List.of("no policy files given"));
    Accumulator acc = new Accumulator();
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (PolicySource source : sources) {
      YamlNodes yaml = new YamlNodes(source.name());
      readFile(source, yaml, new RuleReader(yaml, caseInsensitive), acc);
      problems.addAll(yaml.problems());
      warnings.addAll(yaml.warnings());
    }
    if (!problems.isEmpty()) throw new PolicyException(problems);
    return new PolicySet(acc.rules, acc.defaults.orElse(DEFAULT_REQUIREMENT), acc.defaultsAllow,
        caseInsensitive, warnings);
  }

  /** What the files read so far contribute; later files are checked against it. */
  private static final class Accumulator {
    final List<Rule> rules = new ArrayList<>();
    final Map<String, Location> names = new HashMap<>();
    Optional<Requirement> defaults = Optional.empty();
    Optional<AllowList> defaultsAllow = Optional.empty();
    Location defaultsAt;
  }

  private static void readFile(PolicySource source, YamlNodes yaml, RuleReader reader, Accumulator acc) {
    Optional<Node> root = compose(source, yaml);
    if (root.isEmpty()) return;
    Optional<Map<String, Node>> top =
        yaml.mapping(root.get(), "", TOP_KEYS, "version, defaults and rules");
    if (top.isEmpty()) return;
    checkVersion(yaml, root.get(), top.get().get("version"));

    Node d = top.get().get("defaults");
    Optional<FileDefaults> fileDefault = d == null ? Optional.empty() : readDefaults(yaml, reader, d);
    if (fileDefault.isPresent()) {
      FileDefaults fd = fileDefault.get();
      Location at = yaml.at(requireNode(d));
      if (acc.defaults.isPresent() && acc.defaults.get() != fd.require()) {
        yaml.problem(at, "defaults.require", "'" + fd.require() + "' conflicts with '"
            + acc.defaults.get() + "' set at " + acc.defaultsAt);
      } else if (acc.defaults.isPresent() && !acc.defaultsAllow.equals(fd.allow())) {
        yaml.problem(at, "defaults.allow", "'" + fd.allow().map(AllowList::toString).orElse("(none)")
            + "' conflicts with '" + acc.defaultsAllow.map(AllowList::toString).orElse("(none)")
            + "' set with the defaults at " + acc.defaultsAt);
      } else if (acc.defaults.isEmpty()) {
        acc.defaults = Optional.of(fd.require());
        acc.defaultsAllow = fd.allow();
        acc.defaultsAt = at;
      }
    }

    Node r = top.get().get("rules");
    if (r == null) return;
    if (!(r instanceof SequenceNode)) {
      yaml.problem(r, "rules", "expected a list");
      return;
    }
    List<Node> items = ((SequenceNode) r).getValue();
    for (int i = 0; i < items.size(); i++) {
      String where = "rules[" + i + "]";
      reader.read(items.get(i), where).ifPresent(read -> {
        Location first = acc.names.putIfAbsent(read.rule().name(), read.nameAt());
        if (first != null) {
          yaml.problem(read.nameAt(), where + ".name", "duplicate rule name '"
              + read.rule().name() + "' (first at " + first + ")");
        } else {
          acc.rules.add(read.rule());
        }
      });
    }
  }

  /** The document's root node, or empty after reporting malformed YAML or an empty file. */
  private static Optional<Node> compose(PolicySource source, YamlNodes yaml) {
    try {
      LoaderOptions options = new LoaderOptions();
      // Large generated rule sets (10 000 rules is about 1 MB) must not hit the 3 MB default.
      options.setCodePointLimit(MAX_FILE_CODE_POINTS);
      Node root = new Yaml(new SafeConstructor(options)).compose(new StringReader(source.text()));
      if (root == null) {
        yaml.problem(new Location(source.name(), 1, 1), "", "file is empty; expected 'version: 1'");
        return Optional.empty();
      }
      return Optional.of(root);
    } catch (MarkedYAMLException e) {
      String problem = e.getProblem() != null ? e.getProblem() : firstLine(e.getMessage());
      yaml.problem(yaml.at(e.getProblemMark()), "", "malformed YAML: " + problem);
    } catch (YAMLException e) {
      yaml.problem(new Location(source.name(), 1, 1), "", "malformed YAML: " + firstLine(e.getMessage()));
    }
    return Optional.empty();
  }

  private static void checkVersion(YamlNodes yaml, Node root, Node version) {
    if (version == null) {
      yaml.problem(root, "version", "missing; add 'version: 1'");
    } else if (!(version instanceof ScalarNode) || !((ScalarNode) version).getValue().equals("1")) {
      String v = version instanceof ScalarNode ? ((ScalarNode) version).getValue() : "(not a number)";
      yaml.problem(version, "version", "unsupported version '" + v + "' (expected 1)");
    }
  }

  /** One file's {@code defaults}. */
  private record FileDefaults(Requirement require, Optional<AllowList> allow) {}

  private static Optional<FileDefaults> readDefaults(YamlNodes yaml, RuleReader reader, Node d) {
    Optional<Map<String, Node>> e =
        yaml.mapping(d, "defaults", List.of("require", "allow"), "require and optionally allow");
    if (e.isEmpty()) return Optional.empty();
    Node require = e.get().get("require");
    if (require == null) {
      yaml.problem(d, "defaults.require", "missing (expected " + RuleReader.REQUIRE_VALUES + ")");
      return Optional.empty();
    }
    int before = yaml.problemCount();
    Optional<Requirement> r = reader.requirement(require, "defaults.require");
    if (r.isEmpty()) return Optional.empty();
    Optional<AllowList> allow = reader.allow(e.get().get("allow"), r.get(), "defaults.allow");
    if (yaml.problemCount() > before) return Optional.empty();
    return Optional.of(new FileDefaults(r.get(), allow));
  }

  /** The {@code require} value node of a valid defaults mapping (for its position). */
  private static Node requireNode(Node defaults) {
    return ((org.yaml.snakeyaml.nodes.MappingNode) defaults).getValue().stream()
        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("require"))
        .findFirst().orElseThrow().getValueNode();
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
