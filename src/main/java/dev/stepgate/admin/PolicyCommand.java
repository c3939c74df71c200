package dev.stepgate.admin;

import dev.stepgate.GroupNames;
import dev.stepgate.StepgateException;
import dev.stepgate.config.ConfigException;
import dev.stepgate.config.ConfigLoader;
import dev.stepgate.config.GatewayConfig;
import dev.stepgate.config.PolicyFiles;
import dev.stepgate.policy.AllowList;
import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.Explanation;
import dev.stepgate.policy.PolicyException;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.PolicySource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code stepgate policy check|explain} (SPEC section 1): validate policy files, and show which
 * rule a request meets and what each kind of caller would get.
 */
@Command(
    name = "policy",
    description = "Validate route policies and explain their decisions.",
    subcommands = {PolicyCommand.Check.class, PolicyCommand.Explain.class},
    mixinStandardHelpOptions = true)
public final class PolicyCommand implements Callable<Integer> {
  /** Where policies are read when no path or config is given. */
  static final Path DEFAULT_POLICIES = Path.of("policies");

  @Spec CommandSpec spec;

  /** Without a subcommand: says which ones exist; a usage error. */
  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check or explain");
  }

  /** {@code policy check [PATH]}: exit 0 when valid (warnings allowed), 1 when not. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate policy files; print problems as file:line:col: message.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH",
        description = "A policy file or a directory of *.yaml (default: ./policies).")
    Path path = DEFAULT_POLICIES;

    @Option(names = "--case-insensitive",
        description = "Check as for an upstream that ignores path case.")
    boolean caseInsensitive;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        List<PolicySource> sources = PolicyFiles.read(path);
        PolicySet set = PolicyParser.parse(sources, caseInsensitive);
        List<String> warnings = set.warnings();
        warnings.forEach(out::println);
        out.println(path + ": OK, " + set.rules().size() + " rules in " + sources.size()
            + (sources.size() == 1 ? " file" : " files")
            + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning(s)"));
        return 0;
      } catch (PolicyException e) {
        e.problems().forEach(out::println);
        out.println(path + ": " + e.problems().size() + " error(s)");
        return 1;
      } finally {
        out.flush();
      }
    }
  }

  /**
   * {@code policy explain [--user USERNAME [--group G]…] METHOD URL}: the matching rule and the
   * decision for three callers; with {@code --user}, the signed-in ones are that caller.
   */
  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Show which rule a request matches and what an anonymous caller, a signed-in"
          + " caller and a freshly stepped-up caller would get (with --user: that caller, and the"
          + " user or group that lets them in or keeps them out).")
  static final class Explain implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Gateway config; its policies and upstream case setting are used.")
    Path config;

    @Option(names = "--policies", paramLabel = "PATH",
        description = "Policy file or directory (overrides --config; default ./policies).")
    Path policies;

    @Option(names = "--host", paramLabel = "HOST",
        description = "Host header to assume when URL is only a path.")
    String host = "";

    @Option(names = "--case-insensitive", description = "Match paths ignoring case.")
    boolean caseInsensitive;

    @Option(names = {"--header-accept", "--accept"}, paramLabel = "VALUE",
        description = "Accept header of the caller; adds the response SPEC section 5 gives a"
            + " browser (prefers text/html) or an API client.")
    String accept;

    @Option(names = "--user", paramLabel = "USERNAME",
        description = "Explain for this signed-in caller (as the session names them); the"
            + " signed-in and fresh step-up lines are then theirs, with the allow lists in play.")
    String user;

    @Option(names = "--group", paramLabel = "GROUP",
        description = "A group of the --user caller (repeatable), as users add-group or the app's"
            + " whoami gives it.")
    List<String> groups = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "METHOD", description = "e.g. GET or POST")
    String method;

    @Parameters(index = "1", paramLabel = "URL", description = "Absolute URL or a path.")
    String url;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (!method.matches("[A-Za-z]{1,32}")) throw usage("METHOD must be letters, e.g. GET: " + method);
      RequestTarget target = RequestTarget.parse(url, host)
          .orElseThrow(() -> usage("URL must be absolute (http or https) or start with '/': " + url));
      Set<String> callerGroups = subject();
      Path policyPath = policies;
      boolean ci = caseInsensitive;
      if (config != null) {
        GatewayConfig cfg = loadConfig();
        if (policyPath == null) policyPath = cfg.policies();
        ci = ci || cfg.upstreamCaseInsensitive();
      }
      if (policyPath == null) policyPath = DEFAULT_POLICIES;
      PolicySet set;
      try {
        set = PolicyParser.parse(PolicyFiles.read(policyPath), ci);
      } catch (PolicyException e) {
        e.problems().forEach(out::println);
        out.flush();
        return 1;
      }
      PolicyRequest request =
          new PolicyRequest(method.toUpperCase(Locale.ROOT), target.host(), target.path());
      Instant now = Instant.now();
      AuthState signedIn = AuthState.signedIn("explain-user", now.minus(Duration.ofMinutes(1)), now);
      if (user != null) signedIn = signedIn.withSubject(user, callerGroups);
      Explanation anonymous = set.explain(request, AuthState.anonymous(now));
      // Stepped up at this request's own prompt, as the gateway records it (a one-time rule
      // accepts only a step-up confirmed for it).
      AuthState steppedUp = signedIn.withStepUp(new AuthState.StepUp(now, true, false,
          now.minus(Duration.ofDays(365)), false, Optional.of(anonymous.decision().rule())));
      out.println("request: " + request.method() + " " + request.canonicalPath()
          + (request.host().isEmpty() ? "" : " (host " + request.host() + ")"));
      out.println("rule: " + anonymous.matchedLabel());
      Optional<AllowList> allow = anonymous.matched().isPresent()
          ? anonymous.matched().get().allow()
          : anonymous.decision().rule().equals(Decision.DEFAULTS_RULE) ? set.defaultsAllow() : Optional.empty();
      allow.ifPresent(a -> out.println("allow: " + a));
      if (user != null) {
        out.println("caller: " + user + (callerGroups.isEmpty() ? ", no groups"
            : ", groups " + callerGroups.stream().sorted().toList()));
      }
      out.println("  anonymous:     " + line(anonymous.decision()));
      out.println("  signed in:     " + line(set.explain(request, signedIn).decision()));
      out.println("  fresh step-up: " + line(set.explain(request, steppedUp).decision()));
      if (!anonymous.passedOver().isEmpty()) {
        out.println("passed over:");
        anonymous.passedOver().forEach(p -> out.println("  " + p));
      }
      out.flush();
      return 0;
    }

    /** The --user caller's groups, after checking both names; a usage error when one is bad. */
    private Set<String> subject() {
      if (user == null) {
        if (!groups.isEmpty()) throw usage("--group needs --user (the caller whose groups they are)");
        return Set.of();
      }
      AllowList.usernameProblem(user).ifPresent(p -> {
        throw usage("--user: " + p + ": " + user);
      });
      if (groups.size() > GroupNames.MAX_PER_USER) {
        throw usage("--group: at most " + GroupNames.MAX_PER_USER + " groups");
      }
      for (String g : groups) {
        GroupNames.problem(g).ifPresent(p -> {
          throw usage("--group: " + p + ": " + g);
        });
      }
      return new LinkedHashSet<>(groups);
    }

    private String line(Decision d) {
      String text = Explanation.render(d);
      if (accept == null) return text;
      return text + " -> " + ResponseHint.of(d, accept,
          method.toUpperCase(Locale.ROOT));
    }

    private GatewayConfig loadConfig() {
      try {
        return ConfigLoader.load(config);
      } catch (ConfigException e) {
        List<String> problems = e.problems();
        String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "";
        throw usage(problems.isEmpty() ? config + ": invalid config" : problems.get(0) + more);
      } catch (StepgateException e) {
        throw usage(config + ": " + e.getMessage());
      }
    }

    private CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }
}
