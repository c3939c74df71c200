package dev.stepgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code match} block of a rule. An empty list means "any"; at least one list is non-empty. A
 * rule that names GET also covers HEAD (SPEC section 3): {@link #effectiveMethods()} includes it.
 */
public record RuleMatch(List<PathGlob> paths, List<String> methods, List<HostPattern> hosts) {
  public RuleMatch {
    paths = List.copyOf(paths);
    methods = List.copyOf(methods);
    hosts = List.copyOf(hosts);
    if (paths.isEmpty() && methods.isEmpty() && hosts.isEmpty()) {
      throw new IllegalArgumentException("a match needs at least one of paths, methods, hosts");
    }
    for (String m : methods) {
      if (!m.equals(m.toUpperCase(Locale.ROOT))) {
        throw new IllegalArgumentException("methods must be upper case: " + m);
      }
    }
  }

  /** The methods this match covers, HEAD added when GET is named; empty means any method. */
  public Set<String> effectiveMethods() {
    Set<String> out = new LinkedHashSet<>(methods);
    if (out.contains("GET")) out.add("HEAD");
    return Set.copyOf(out);
  }

  /** True when the (upper-cased) method is covered. */
  boolean methodMatches(String upperMethod) {
    if (methods.isEmpty()) return true;
    for (String m : methods) {
      if (m.equals(upperMethod)) return true;
    }
    return upperMethod.equals("HEAD") && methods.contains("GET");
  }

  /** True when the normalized host is covered. */
  boolean hostMatches(String normalizedHost) {
    if (hosts.isEmpty()) return true;
    for (HostPattern h : hosts) {
      if (h.matchesNormalized(normalizedHost)) return true;
    }
    return false;
  }

  boolean pathMatches(String path) {
    if (paths.isEmpty()) return true;
    for (PathGlob g : paths) {
      if (g.matches(path)) return true;
    }
    return false;
  }

  /**
   * Why this match does not cover the request, one phrase per criterion that fails, or empty when
   * it matches. Used by {@code explain}; a slow, direct walk.
   */
  List<String> mismatches(String upperMethod, String normalizedHost, String path) {
    List<String> out = new ArrayList<>();
    if (!pathMatches(path)) out.add("path " + path + " matches none of " + paths);
    if (!methodMatches(upperMethod)) out.add("method " + upperMethod + " is not in " + methods);
    if (!hostMatches(normalizedHost)) {
      out.add("host " + (normalizedHost.isEmpty() ? "(none)" : normalizedHost)
          + " matches none of " + hosts);
    }
    return out;
  }

  /** True when every request {@code later} matches is matched by this one (used for shadowing). */
  boolean covers(RuleMatch later) {
    return coversMethods(later) && coversHosts(later) && coversPaths(later);
  }

  private boolean coversMethods(RuleMatch later) {
    if (methods.isEmpty()) return true;
    if (later.methods.isEmpty()) return false;
    return effectiveMethods().containsAll(later.effectiveMethods());
  }

  private boolean coversHosts(RuleMatch later) {
    if (hosts.isEmpty()) return true;
    if (later.hosts.isEmpty()) return false;
    return later.hosts.stream().allMatch(b -> hosts.stream().anyMatch(a -> a.covers(b)));
  }

  private boolean coversPaths(RuleMatch later) {
    if (paths.isEmpty()) return true;
    if (later.paths.isEmpty()) return false;
    return later.paths.stream().allMatch(b -> paths.stream().anyMatch(a -> a.covers(b)));
  }
}
