package dev.stepgate.policy;

import dev.stepgate.GroupNames;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads and validates one entry of {@code rules}, reporting every problem it finds. */
final class RuleReader {
  static final List<String> RULE_KEYS = List.of("name", "description", "match", "require",
      "max_age", "device_bound", "min_credential_age", "audience", "allow");
  static final List<String> ALLOW_KEYS = List.of("users", "groups");
  static final List<String> MATCH_KEYS = List.of("paths", "methods", "hosts");
  static final String REQUIRE_VALUES = "public, authenticated, step_up, deny";
  private static final List<String> STEP_UP_KEYS =
      List.of("max_age", "device_bound", "min_credential_age");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]{0,31}");

  private final YamlNodes yaml;
  private final boolean caseInsensitive;

  RuleReader(YamlNodes yaml, boolean caseInsensitive) {
    this.yaml = yaml;
    this.caseInsensitive = caseInsensitive;
  }

  /** A rule read from {@code node}, with where its name is; empty if it has any problem. */
  record Read(Rule rule, Location nameAt) {}

  Optional<Read> read(Node node, String where) {
    Optional<Map<String, Node>> entries =
        yaml.mapping(node, where, RULE_KEYS, "name, match and require");
    if (entries.isEmpty()) return Optional.empty();
    Map<String, Node> e = entries.get();
    int before = problemCount();

    Optional<String> name = required(node, e, "name", where).flatMap(n -> name(n, where + ".name"));
    Optional<String> description =
        Optional.ofNullable(e.get("description")).flatMap(n -> yaml.string(n, where + ".description"));
    Optional<RuleMatch> match = required(node, e, "match", where).flatMap(n -> match(n, where + ".match"));
    Optional<Requirement> require =
        required(node, e, "require", where).flatMap(n -> requirement(n, where + ".require"));

    if (require.isPresent() && require.get() != Requirement.STEP_UP) {
      for (String k : STEP_UP_KEYS) {
        if (e.containsKey(k)) yaml.problem(e.get(k), where + "." + k, "only allowed when require is step_up");
      }
    }
    if (require.isPresent() && require.get() == Requirement.DENY && e.containsKey("audience")) {
      yaml.problem(e.get("audience"), where + ".audience", "not allowed when require is deny");
    }
    Optional<Duration> maxAge = duration(e.get("max_age"), where + ".max_age");
    Optional<Duration> minAge = duration(e.get("min_credential_age"), where + ".min_credential_age");
    boolean deviceBound = bool(e.get("device_bound"), where + ".device_bound");
    Optional<String> audience =
        Optional.ofNullable(e.get("audience")).flatMap(n -> yaml.string(n, where + ".audience"));
    Optional<AllowList> allow = require.isPresent()
        ? allow(e.get("allow"), require.get(), where + ".allow")
        : Optional.empty();

    if (problemCount() > before || name.isEmpty() || match.isEmpty() || require.isEmpty()) {
      return Optional.empty();
    }
    Rule rule = new Rule(name.get(), description, match.get(), require.get(), maxAge, deviceBound,
        minAge, audience, allow, yaml.at(node));
    return Optional.of(new Read(rule, yaml.at(e.get("name"))));
  }

  /**
   * The {@code allow} block at {@code node} (absent: empty), after checking that {@code require}
   * can carry one and that every name is one a caller can have. Reports every problem; warns about
   * user names that gateway sign-in can never produce.
   */
  Optional<AllowList> allow(Node node, Requirement require, String where) {
    if (node == null) return Optional.empty();
    if (require == Requirement.PUBLIC) {
      yaml.problem(node, where, "not allowed when require is public (public lets anyone pass;"
          + " use authenticated or step_up to name who may)");
      return Optional.empty();
    }
    if (require == Requirement.DENY) {
      yaml.problem(node, where, "not allowed when require is deny (nobody passes a deny rule)");
      return Optional.empty();
    }
    int before = problemCount();
    Optional<Map<String, Node>> entries = yaml.mapping(node, where, ALLOW_KEYS, "users and/or groups");
    if (entries.isEmpty()) return Optional.empty();
    if (entries.get().isEmpty()) {
      if (problemCount() == before) {
        yaml.problem(node, where, "needs users or groups (to let nobody pass, use require: deny)");
      }
      return Optional.empty();
    }
    Set<String> users = new LinkedHashSet<>();
    Set<String> groups = new LinkedHashSet<>();
    Node u = entries.get().get("users");
    Node g = entries.get().get("groups");
    items(u, where + ".users", (n, w, name) -> {
      Optional<String> p = AllowList.usernameProblem(name);
      if (p.isPresent()) {
        yaml.problem(n, w, "invalid user '" + name + "': " + p.get());
        return;
      }
      gatewayNameWarning(name).ifPresent(m -> yaml.warning(n, w, m));
      users.add(name);
    });
    items(g, where + ".groups", (n, w, name) -> {
      Optional<String> p = GroupNames.problem(name);
      if (p.isPresent()) yaml.problem(n, w, "invalid group '" + name + "': " + p.get());
      else groups.add(name);
    });
    if (users.size() > AllowList.MAX_NAMES) {
      yaml.problem(u, where + ".users", "at most " + AllowList.MAX_NAMES + " names");
    }
    if (groups.size() > AllowList.MAX_NAMES) {
      yaml.problem(g, where + ".groups", "at most " + AllowList.MAX_NAMES + " names");
    }
    if (problemCount() > before) return Optional.empty();
    return Optional.of(new AllowList(users, groups));
  }

  /**
   * Why gateway sign-in can never produce {@code name}: it stores usernames trimmed, in Unicode
   * NFKC and lower case (credential.Usernames), so only a bolt-on caller (whose name the app's
   * {@code whoami} gives verbatim) could be called this.
   */
  static Optional<String> gatewayNameWarning(String name) {
    String normal = Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    if (normal.equals(name)) return Optional.empty();
    String what = name.toLowerCase(Locale.ROOT).equals(name) ? "is not in Unicode NFKC form" : "has upper-case letters";
    return Optional.of("'" + name + "' " + what + "; gateway sign-in stores usernames as '" + normal
        + "', so this matches only a bolt-on caller (identity.source: upstream) named exactly '" + name + "'");
  }

  private int problemCount() {
    return yaml.problemCount();
  }

  private Optional<Node> required(Node parent, Map<String, Node> e, String key, String where) {
    Node n = e.get(key);
    if (n == null) {
      String hint = key.equals("match")
          ? " (a rule needs at least one of paths, methods, hosts)"
          : key.equals("require") ? " (expected " + REQUIRE_VALUES + ")" : "";
      yaml.problem(parent, where + "." + key, "missing" + hint);
    }
    return Optional.ofNullable(n);
  }

  private Optional<String> name(Node node, String where) {
    Optional<String> s = yaml.string(node, where);
    if (s.isEmpty()) return s;
    String n = s.get();
    if (!NAME.matcher(n).matches()) {
      yaml.problem(node, where, "'" + n + "' may contain only letters, digits, '.', '_' and '-'"
          + " (at most 100, starting with a letter or digit)");
      return Optional.empty();
    }
    if (n.equals(Decision.DEFAULTS_RULE) || n.equals(Decision.FAIL_CLOSED_RULE)) {
      yaml.problem(node, where, "'" + n + "' is reserved");
      return Optional.empty();
    }
    return s;
  }

  Optional<Requirement> requirement(Node node, String where) {
    Optional<String> s = yaml.string(node, where);
    if (s.isEmpty()) return Optional.empty();
    Optional<Requirement> r = Requirement.fromYaml(s.get());
    if (r.isEmpty()) {
      yaml.problem(node, where, "unknown value '" + s.get() + "' (expected " + REQUIRE_VALUES + ")");
    }
    return r;
  }

  private Optional<RuleMatch> match(Node node, String where) {
    Optional<Map<String, Node>> entries =
        yaml.mapping(node, where, MATCH_KEYS, "paths, methods or hosts");
    if (entries.isEmpty()) return Optional.empty();
    Map<String, Node> e = entries.get();
    if (((MappingNode) node).getValue().isEmpty()) {
      yaml.problem(node, where, "needs at least one of paths, methods, hosts");
      return Optional.empty();
    }
    int before = problemCount();
    List<PathGlob> paths = new ArrayList<>();
    List<String> methods = new ArrayList<>();
    List<HostPattern> hosts = new ArrayList<>();
    items(e.get("paths"), where + ".paths", (n, w, s) -> {
      Optional<String> p = PathGlob.problem(s);
      if (p.isPresent()) yaml.problem(n, w, "invalid glob '" + s + "': " + p.get());
      else paths.add(PathGlob.of(s, caseInsensitive));
    });
    items(e.get("methods"), where + ".methods", (n, w, s) -> {
      if (!METHOD.matcher(s).matches()) {
        yaml.problem(n, w, "invalid method '" + s + "' (methods are upper case, e.g. GET)");
      } else if (!methods.contains(s)) {
        methods.add(s);
      }
    });
    items(e.get("hosts"), where + ".hosts", (n, w, s) -> {
      Optional<String> p = HostPattern.problem(s);
      if (p.isPresent()) yaml.problem(n, w, "invalid host '" + s + "': " + p.get());
      else hosts.add(HostPattern.of(s));
    });
    if (problemCount() > before) return Optional.empty();
    return Optional.of(new RuleMatch(paths, methods, hosts));
  }

  private interface ItemSink {
    void accept(Node node, String where, String value);
  }

  private void items(Node list, String where, ItemSink sink) {
    if (list == null) return;
    yaml.list(list, where).ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        String w = where + "[" + i + "]";
        Node item = items.get(i);
        // A glob may be empty text ("") and still deserve its own message, so read raw scalars.
        if (item instanceof ScalarNode && ((ScalarNode) item).getValue().isEmpty()) {
          sink.accept(item, w, "");
        } else {
          yaml.string(item, w).ifPresent(s -> sink.accept(item, w, s));
        }
      }
    });
  }

  private Optional<Duration> duration(Node node, String where) {
    if (node == null) return Optional.empty();
    if (!(node instanceof ScalarNode)) {
      yaml.problem(node, where, "expected a duration such as 30s, 5m, 12h or 1d");
      return Optional.empty();
    }
    String text = ((ScalarNode) node).getValue();
    Optional<Duration> d = Durations.parse(text);
    if (d.isEmpty()) {
      yaml.problem(node, where, "invalid duration '" + text
          + "' (expected a whole number of s, m, h or d, not negative, e.g. 30s, 5m, 12h)");
    }
    return d;
  }

  private boolean bool(Node node, String where) {
    if (node == null) return false;
    String v = node instanceof ScalarNode ? ((ScalarNode) node).getValue() : "";
    if (v.equals("true")) return true;
    if (!v.equals("false")) yaml.problem(node, where, "expected true or false");
    return false;
  }
}
