package dev.stepgate.bench;

import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.PolicySource;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one {@link PolicySet#decide} as the rule count grows. Rules are a realistic mix:
 * literal paths, {@code *} and {@code *.ext} segments, {@code **} subtrees, method lists and host
 * lists; requests hit early rules, late rules and no rule at all (defaults).
 *
 * <p>With {@code subjects=allow}, every {@code authenticated} and {@code step_up} rule (and the
 * defaults) carries {@code allow} with a user and two groups, and the caller has a name and 16
 * groups: about a fifth of the rules let them in by group, the rest refuse them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyDecideBenchmark {
  @Param({"10", "1000", "10000"})
  int rules;

  /** {@code none}: no rule has {@code allow}; {@code allow}: rules carry users and groups. */
  @Param({"none", "allow"})
  String subjects;

  private PolicySet set;
  private PolicyRequest[] requests;
  private AuthState state;
  private int next;

  @Setup
  public void setUp() {
    boolean allow = subjects.equals("allow");
    set = PolicyParser.parse(List.of(new PolicySource("bench.yaml", yaml(rules, allow))), false);
    Random rnd = new Random(42);
    requests = new PolicyRequest[1024];
    String[] methods = {"GET", "GET", "GET", "POST", "PUT", "HEAD", "DELETE"};
    for (int i = 0; i < requests.length; i++) {
      int r = rnd.nextInt(rules);
      String method = methods[rnd.nextInt(methods.length)];
      String host = rnd.nextInt(4) == 0 ? "t" + r + ".example.com:443" : "app.example.com";
      String path;
      switch (rnd.nextInt(6)) {
        case 0: path = "/app" + r + "/settings/profile"; break;
        case 1: path = "/svc" + r + "/" + rnd.nextInt(1000) + "/items"; break;
        case 2: path = "/tenant" + r + "/a/b/c/d"; break;
        case 3: path = "/static" + r + "/css/site.css"; break;
        case 4: path = "/nothing/matches/" + r; break;
        default: path = "/api/v2/orders/" + r + "/lines"; break;
      }
      requests[i] = new PolicyRequest(method, host, path);
    }
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    AuthState signedIn = AuthState.signedIn("u", now.minusSeconds(600), now);
    if (allow) {
      Set<String> groups = new HashSet<>();
      for (int g = 0; g < 16; g++) groups.add("team-" + (g * 3));
      signedIn = signedIn.withSubject("bench-user", groups);
    }
    state = signedIn.withStepUp(new AuthState.StepUp(now.minusSeconds(30), true, false, now.minusSeconds(86400 * 30), false));
  }

  /** {@code n} rules: a mix of literal, '*', '*.ext', '**', methods and hosts; with or without allow. */
  static String yaml(int n, boolean allow) {
    StringBuilder b = new StringBuilder("version: 1\ndefaults: {require: authenticated"
        + (allow ? ", allow: {groups: [team-3, staff]}" : "") + "}\nrules:\n");
    String[] require = {"public", "authenticated", "step_up", "deny"};
    for (int i = 0; i < n; i++) {
      String req = require[i % 4];
      b.append("  - name: r").append(i).append('\n');
      switch (i % 8) {
        case 0: case 1: case 2:
          b.append("    match: {paths: [\"/app").append(i).append("/settings/profile\", \"/app")
              .append(i).append("/settings/email\"]}\n");
          break;
        case 3:
          b.append("    match: {paths: [\"/svc").append(i).append("/*/items\"], methods: [POST, PUT]}\n");
          break;
        case 4:
          b.append("    match: {paths: [\"/tenant").append(i).append("/**\"]}\n");
          break;
        case 5:
          b.append("    match: {paths: [\"/static").append(i).append("/**/*.css\"]}\n");
          break;
        case 6:
          b.append("    match: {paths: [\"/api/v*/orders/").append(i).append("/**\"], hosts: [\"t")
              .append(i).append(".example.com\"]}\n");
          break;
        default:
          b.append("    match: {paths: [\"/svc").append(i).append("/**\"], methods: [GET], hosts: [\"*.t")
              .append(i).append(".example.com\", \"t").append(i).append(".example.com\"]}\n");
          break;
      }
      b.append("    require: ").append(req).append('\n');
      if (req.equals("step_up")) b.append("    max_age: 5m\n");
      if (allow && (req.equals("step_up") || req.equals("authenticated"))) {
        b.append("    allow: {users: [user-").append(i).append("], groups: [team-").append(i % 80)
            .append(", ops-").append(i % 7).append("]}\n");
      }
    }
    return b.toString();
  }

  @Benchmark
  public Decision decide() {
    PolicyRequest r = requests[next++ & (requests.length - 1)];
    return set.decide(r, state);
  }
}
