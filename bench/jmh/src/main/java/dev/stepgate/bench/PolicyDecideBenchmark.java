package dev.stepgate.bench;

import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.PolicySource;
import java.time.Instant;
import java.util.List;
import java.util.Random;
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
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyDecideBenchmark {
  @Param({"10", "1000", "10000"})
  int rules;

  private PolicySet set;
  private PolicyRequest[] requests;
  private AuthState state;
  private int next;

  @Setup
  public void setUp() {
    set = PolicyParser.parse(List.of(new PolicySource("bench.yaml", yaml(rules))), false);
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
    state = AuthState.signedIn("u", now.minusSeconds(600), now)
        .withStepUp(new AuthState.StepUp(now.minusSeconds(30), true, false, now.minusSeconds(86400 * 30), false));
  }

  /** {@code n} rules: a mix of literal, '*', '*.ext', '**', methods and hosts. */
  static String yaml(int n) {
    StringBuilder b = new StringBuilder("version: 1\ndefaults: {require: authenticated}\nrules:\n");
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
    }
    return b.toString();
  }

  @Benchmark
  public Decision decide() {
    PolicyRequest r = requests[next++ & (requests.length - 1)];
    return set.decide(r, state);
  }
}
