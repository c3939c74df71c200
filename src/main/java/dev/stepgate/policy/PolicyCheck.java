package dev.stepgate.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Static checks that find rules which are valid but useless. */
final class PolicyCheck {
  /** Bucket of rules whose globs can cover paths starting with any segment (or with no paths). */
  private static final String ANY_FIRST_SEGMENT = "\0any";

  /**
   * Added when the covering rule has {@code allow}: a common mistake is to expect callers it
   * refuses to reach the later rule (SPEC section 3: the first matching rule still decides).
   */
  static final String ALLOW_DOES_NOT_FALL_THROUGH =
      ", whose allow refuses everyone else: first match decides, allow does not fall through";

  private PolicyCheck() {}

  /**
   * One warning per rule that can never match because an earlier rule matches every request it
   * does, as {@code file:line:col: rule 'x' is shadowed by rule 'y'}. Conservative: a rule covered
   * only by the union of several earlier rules is not reported.
   *
   * <p>Only earlier rules that could cover a rule's first glob are compared: a glob whose first
   * segment is a literal can only be covered by a glob starting with the same literal or with a
   * wildcard. That keeps large, mostly disjoint rule sets fast to check.
   *
   * <p>An earlier rule's {@code allow} does not stop it shadowing: it refuses outsiders itself
   * rather than passing them on, so the warning then says so.
   */
  static List<String> shadowed(List<Rule> rules) {
    List<String> out = new ArrayList<>();
    Map<String, List<Integer>> byFirstSegment = new HashMap<>();
    List<Integer> anyFirst = new ArrayList<>();
    for (int j = 0; j < rules.size(); j++) {
      Rule later = rules.get(j);
      List<Integer> sameFirst = byFirstSegment.getOrDefault(firstKey(later), List.of());
      int a = 0;
      int b = 0;
      while (a < sameFirst.size() || b < anyFirst.size()) {
        int i;
        if (b >= anyFirst.size() || (a < sameFirst.size() && sameFirst.get(a) < anyFirst.get(b))) {
          i = sameFirst.get(a++);
        } else {
          i = anyFirst.get(b++);
        }
        Rule earlier = rules.get(i);
        if (earlier.match().covers(later.match())) {
          out.add(later.location() + ": rule '" + later.name() + "' is shadowed by rule '"
              + earlier.name() + "'" + (earlier.allow().isPresent() ? ALLOW_DOES_NOT_FALL_THROUGH : ""));
          break;
        }
      }
      index(later.match(), j, byFirstSegment, anyFirst);
    }
    return List.copyOf(out);
  }

  /** The bucket of the rule's first glob as something to be covered. */
  private static String firstKey(Rule rule) {
    List<PathGlob> paths = rule.match().paths();
    if (paths.isEmpty()) return ANY_FIRST_SEGMENT;
    return literalFirst(paths.get(0));
  }

  private static String literalFirst(PathGlob g) {
    List<PathGlob.Segment> segs = g.segments();
    if (segs.isEmpty()) return "";
    PathGlob.Segment s = segs.get(0);
    return s.kind == PathGlob.Kind.LITERAL ? "/" + s.text : ANY_FIRST_SEGMENT;
  }

  private static void index(
      RuleMatch m, int index, Map<String, List<Integer>> byFirst, List<Integer> anyFirst) {
    if (m.paths().isEmpty()) {
      anyFirst.add(index);
      return;
    }
    boolean any = false;
    List<String> keys = new ArrayList<>();
    for (PathGlob g : m.paths()) {
      String k = literalFirst(g);
      if (k.equals(ANY_FIRST_SEGMENT)) any = true;
      else if (!keys.contains(k)) keys.add(k);
    }
    if (any) {
      anyFirst.add(index);
      return;
    }
    for (String k : keys) byFirst.computeIfAbsent(k, x -> new ArrayList<>()).add(index);
  }
}
