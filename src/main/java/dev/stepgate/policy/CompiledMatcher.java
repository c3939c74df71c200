package dev.stepgate.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the first rule that matches a request without trying every rule: the path globs of all
 * rules form a segment trie whose nodes hold the indexes of the rules whose glob ends there. A
 * lookup walks only the trie branches the path can take, and among the candidates it reaches keeps
 * the lowest index whose method and host also match. Each node knows the lowest rule index below
 * it, so branches that cannot beat the best candidate so far are skipped.
 *
 * <p>Immutable after construction and safe to share between threads.
 */
final class CompiledMatcher {
  private static final int NONE = Integer.MAX_VALUE;

  private final RuleMatch[] matches;
  private final boolean caseInsensitive;
  private final int[] anyPath;
  private final Node root = new Node();

  CompiledMatcher(List<Rule> rules, boolean caseInsensitive) {
    this.matches = new RuleMatch[rules.size()];
    this.caseInsensitive = caseInsensitive;
    List<Integer> any = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      RuleMatch m = rules.get(i).match();
      matches[i] = m;
      if (m.paths().isEmpty()) any.add(i);
      for (PathGlob g : m.paths()) insert(g, i);
    }
    this.anyPath = any.stream().mapToInt(Integer::intValue).toArray();
    root.freeze();
  }

  private void insert(PathGlob glob, int index) {
    Node n = root;
    for (PathGlob.Segment s : glob.segments()) n = n.child(s);
    n.add(index);
  }

  /**
   * The index of the first rule matching the request, or -1 when none does.
   *
   * @param method the request method, any case
   * @param host the Host header value, port allowed
   * @param canonicalPath the canonical path, starting with '/'
   */
  int find(String method, String host, String canonicalPath) {
    String upper = method.toUpperCase(Locale.ROOT);
    String normalizedHost = HostPattern.normalize(host);
    String path = caseInsensitive ? canonicalPath.toLowerCase(Locale.ROOT) : canonicalPath;
    Lookup l = new Lookup(PathGlob.split(path), upper, normalizedHost);
    l.consider(anyPath);
    l.visit(root, 0);
    return l.best == NONE ? -1 : l.best;
  }

  /** The state of one lookup: the path's segments and the best rule index found so far. */
  private final class Lookup {
    final String[] segs;
    final String method;
    final String host;
    int best = NONE;

    Lookup(String[] segs, String method, String host) {
      this.segs = segs;
      this.method = method;
      this.host = host;
    }

    void consider(int[] candidates) {
      for (int idx : candidates) {
        if (idx >= best) return;
        RuleMatch m = matches[idx];
        if (m.methodMatches(method) && m.hostMatches(host)) {
          best = idx;
          return;
        }
      }
    }

    void visit(Node n, int i) {
      if (n == null || n.minIndex >= best) return;
      if (i == segs.length) {
        consider(n.terminal);
      } else {
        String seg = segs[i];
        if (n.literal != null) visit(n.literal.get(seg), i + 1);
        visit(n.oneSegment, i + 1);
        for (int w = 0; w < n.wildcards.length; w++) {
          if (n.wildcards[w].matches(seg)) visit(n.wildcardNodes[w], i + 1);
        }
      }
      if (n.anySegments != null) {
        // '**' consumes zero or more of the remaining segments.
        for (int k = i; k <= segs.length; k++) visit(n.anySegments, k);
      }
    }
  }

  /** A trie node: one child per distinct next glob segment, and the rules whose glob ends here. */
  private static final class Node {
    Map<String, Node> literal;
    Node oneSegment;
    Node anySegments;
    PathGlob.Segment[] wildcards = new PathGlob.Segment[0];
    Node[] wildcardNodes = new Node[0];
    int[] terminal = new int[0];
    int minIndex = NONE;

    Node child(PathGlob.Segment s) {
      switch (s.kind) {
        case LITERAL:
          if (literal == null) literal = new HashMap<>();
          return literal.computeIfAbsent(s.text, k -> new Node());
        case ONE_SEGMENT:
          if (oneSegment == null) oneSegment = new Node();
          return oneSegment;
        case ANY_SEGMENTS:
          if (anySegments == null) anySegments = new Node();
          return anySegments;
        default:
          for (int w = 0; w < wildcards.length; w++) {
            if (wildcards[w].text.equals(s.text)) return wildcardNodes[w];
          }
          wildcards = Arrays.copyOf(wildcards, wildcards.length + 1);
          wildcardNodes = Arrays.copyOf(wildcardNodes, wildcardNodes.length + 1);
          wildcards[wildcards.length - 1] = s;
          Node n = new Node();
          wildcardNodes[wildcardNodes.length - 1] = n;
          return n;
      }
    }

    void add(int index) {
      // Rules are inserted in ascending order, so the array stays sorted.
      if (terminal.length > 0 && terminal[terminal.length - 1] == index) return;
      terminal = Arrays.copyOf(terminal, terminal.length + 1);
      terminal[terminal.length - 1] = index;
    }

    /** Computes {@link #minIndex} bottom-up; returns it. */
    int freeze() {
      int min = terminal.length > 0 ? terminal[0] : NONE;
      if (literal != null) {
        for (Node c : literal.values()) min = Math.min(min, c.freeze());
      }
      if (oneSegment != null) min = Math.min(min, oneSegment.freeze());
      if (anySegments != null) min = Math.min(min, anySegments.freeze());
      for (Node c : wildcardNodes) min = Math.min(min, c.freeze());
      minIndex = min;
      return min;
    }
  }
}
