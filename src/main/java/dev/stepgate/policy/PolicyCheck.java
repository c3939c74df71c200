package dev.stepgate.policy;

import java.util.ArrayList;
import java.util.List;

/** Static checks that find rules which are valid but useless. */
final class PolicyCheck {
  private PolicyCheck() {}

  /**
   * One warning per rule that can never match because an earlier rule matches every request it
   * does, as {@code file:line:col: rule 'x' is shadowed by rule 'y'}. Conservative: a rule covered
   * only by the union of several earlier rules is not reported.
   */
  static List<String> shadowed(List<Rule> rules) {
    List<String> out = new ArrayList<>();
    for (int j = 1; j < rules.size(); j++) {
      Rule later = rules.get(j);
      for (int i = 0; i < j; i++) {
        Rule earlier = rules.get(i);
        if (earlier.match().covers(later.match())) {
          out.add(later.location() + ": rule '" + later.name() + "' is shadowed by rule '"
              + earlier.name() + "'");
          break;
        }
      }
    }
    return List.copyOf(out);
  }
}
