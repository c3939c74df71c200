package dev.stepgate.policy;

import dev.stepgate.GroupNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code allow} block of a rule or of {@code defaults} (SPEC section 3): who may pass. A
 * signed-in caller passes when their username is in {@link #users()} or one of their groups is in
 * {@link #groups()}; anyone else signed in is refused, and an anonymous caller must sign in first.
 * Names are opaque and case-sensitive. Both sets keep file order (for explain and messages).
 *
 * <p>Called {@code AllowList} rather than {@code Allow} so that it is not mistaken for {@link
 * Decision.Allow}, the decision to forward.
 *
 * @param users usernames, as the session names the caller
 * @param groups group names, each in the {@link GroupNames} alphabet
 */
public record AllowList(Set<String> users, Set<String> groups) {
  /** Most names one list may hold, so that a policy file cannot make a decision slow or huge. */
  public static final int MAX_NAMES = 1000;

  /** Longest username a list may name, as the stores accept them. */
  public static final int MAX_USERNAME_LENGTH = 64;

  public AllowList {
    users = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(users, "users")));
    groups = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(groups, "groups")));
    if (users.isEmpty() && groups.isEmpty()) {
      throw new IllegalArgumentException("an allow list names at least one user or group");
    }
    if (users.size() > MAX_NAMES || groups.size() > MAX_NAMES) {
      throw new IllegalArgumentException("an allow list holds at most " + MAX_NAMES + " names each");
    }
    for (String u : users) {
      usernameProblem(u).ifPresent(p -> {
        throw new IllegalArgumentException(p);
      });
    }
    for (String g : groups) {
      GroupNames.problem(g).ifPresent(p -> {
        throw new IllegalArgumentException(p);
      });
    }
  }

  /** Why {@code name} cannot be in {@code allow.users}, in a phrase; empty when it can. */
  public static Optional<String> usernameProblem(String name) {
    if (name == null || name.isBlank()) return Optional.of("a username must not be empty");
    if (name.length() > MAX_USERNAME_LENGTH) {
      return Optional.of("a username is at most " + MAX_USERNAME_LENGTH + " characters");
    }
    // The stores accept an inner plain space (credential.Usernames) but no other whitespace and
    // no control character; a name they could never hold is a mistake here too.
    if (!name.strip().equals(name)
        || name.codePoints().anyMatch(c -> Character.isISOControl(c) || (Character.isWhitespace(c) && c != ' '))) {
      return Optional.of("a username has no control characters, tabs, line breaks or surrounding spaces");
    }
    return Optional.empty();
  }

  /**
   * What lets the caller in: {@code user 'bob' is in allow.users}, or the first (by name) of their
   * groups that is listed, as {@code group 'admins' is in allow.groups}; empty when nothing does.
   */
  Optional<String> admits(Optional<String> username, Set<String> callerGroups) {
    if (username.isPresent() && users.contains(username.get())) {
      return Optional.of("user '" + username.get() + "' is in allow.users");
    }
    // Walk the smaller side (a caller has at most GroupNames.MAX_PER_USER groups); naming the
    // least group by name keeps the reason the same whichever side is walked.
    String least = null;
    Set<String> walk = callerGroups.size() <= groups.size() ? callerGroups : groups;
    Set<String> other = walk == callerGroups ? groups : callerGroups;
    for (String g : walk) {
      if (other.contains(g) && (least == null || g.compareTo(least) < 0)) least = g;
    }
    return least == null ? Optional.empty() : Optional.of("group '" + least + "' is in allow.groups");
  }

  /**
   * Why the caller is kept out, one phrase per list that could have let them in. The caller's own
   * groups are not listed: that would cost a sort on every refusal, and explain shows them anyway.
   */
  List<String> refuses(Optional<String> username, Set<String> callerGroups) {
    String who = username.map(u -> "user '" + u + "'").orElse("the caller (name unknown)");
    List<String> out = new ArrayList<>(2);
    if (!users.isEmpty()) out.add(who + " is not in allow.users");
    if (!groups.isEmpty()) {
      out.add(callerGroups.isEmpty()
          ? who + " has no groups; allow.groups is " + groups
          : "no group of " + who + " is in allow.groups " + groups);
    }
    return out;
  }

  /** The list as a policy file spells it, e.g. {@code users [bob], groups [admins]}. */
  @Override
  public String toString() {
    String u = users.isEmpty() ? "" : "users " + users;
    String g = groups.isEmpty() ? "" : "groups " + groups;
    return u.isEmpty() ? g : g.isEmpty() ? u : u + ", " + g;
  }
}
