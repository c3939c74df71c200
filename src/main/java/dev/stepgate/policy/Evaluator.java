package dev.stepgate.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Applies one requirement to the caller's state. Pure: the same rule, state and set of one-time
 * rules always give the same decision, and nothing here reads a clock or a store.
 *
 * <p>A one-time ({@code max_age: 0s}) step-up belongs to the action it was confirmed for: it
 * satisfies only the rule its prompt named, and only once; a step-up confirmed for a one-time rule
 * (or for one of the gateway's account actions) satisfies no other {@code step_up} rule, used or
 * not, and once used it counts for nothing. The session stays signed in either way.
 */
final class Evaluator {
  /** How old a step-up may be for a {@code max_age: 0s} rule, which then consumes it. */
  static final Duration SINGLE_USE_WINDOW = Duration.ofSeconds(60);

  /** Step-up times this far after {@code now} are accepted as clock skew between nodes. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

  private Evaluator() {}

  /**
   * Decides for a matched rule.
   *
   * @param oneTimeRules the names of the set's {@code max_age: 0s} rules
   */
  static Decision evaluate(Rule rule, AuthState state, Set<String> oneTimeRules) {
    return evaluate(rule.name(), rule.require(), Optional.of(rule), rule.allow(), state, oneTimeRules);
  }

  /** Decides for {@code defaults.require} (and {@code defaults.allow}) when no rule matched. */
  static Decision evaluateDefaults(
      Requirement require, Optional<AllowList> allow, AuthState state, Set<String> oneTimeRules) {
    return evaluate(Decision.DEFAULTS_RULE, require, Optional.empty(), allow, state, oneTimeRules);
  }

  /**
   * The order of the checks (SPEC section 3): an anonymous caller signs in first; a signed-in
   * caller outside {@code allow} is refused before anything else, so an outsider is never asked
   * to step up for a route they could not use anyway; an insider gets the rule's own evaluation.
   */
  private static Decision evaluate(String name, Requirement require, Optional<Rule> rule,
      Optional<AllowList> allow, AuthState state, Set<String> oneTimeRules) {
    String applies = rule.isPresent()
        ? "rule '" + name + "' requires " + require
        : "no rule matched; defaults require " + require;
    Optional<String> audience = rule.flatMap(Rule::audience);
    Optional<String> description = rule.flatMap(Rule::description);
    switch (require) {
      case PUBLIC:
        return new Decision.Allow(name, require, List.of(applies), false, false, audience, description);
      case AUTHENTICATED: {
        if (!state.signedIn()) return new Decision.Login(name, require, List.of(applies, "not signed in"));
        Optional<String> in = Optional.empty();
        if (allow.isPresent()) {
          in = allow.get().admits(state.username(), state.groups());
          if (in.isEmpty()) return outsider(name, require, applies, allow.get(), state);
        }
        return new Decision.Allow(
            name, require, reasons(applies, Optional.of("signed in"), in), false, false, audience, description);
      }
      case STEP_UP:
        return stepUp(name, rule, allow, state, oneTimeRules, applies, audience, description);
      default:
        return new Decision.Deny(name, require, List.of(applies));
    }
  }

  /** A signed-in caller whom {@code allow} keeps out: refused, with which list said no. */
  private static Decision outsider(
      String name, Requirement require, String applies, AllowList allow, AuthState state) {
    List<String> reasons = new ArrayList<>(3);
    reasons.add(applies);
    reasons.addAll(allow.refuses(state.username(), state.groups()));
    return new Decision.Deny(name, require, reasons);
  }

  private static List<String> reasons(String first, Optional<String> second, Optional<String> third) {
    List<String> out = new ArrayList<>(3);
    out.add(first);
    second.ifPresent(out::add);
    third.ifPresent(out::add);
    return out;
  }

  private static Decision stepUp(
      String name,
      Optional<Rule> rule,
      Optional<AllowList> allow,
      AuthState state,
      Set<String> oneTimeRules,
      String applies,
      Optional<String> audience,
      Optional<String> description) {
    Duration maxAge = rule.flatMap(Rule::maxAge).orElse(Rule.DEFAULT_STEP_UP_MAX_AGE);
    boolean deviceBound = rule.map(Rule::deviceBound).orElse(false);
    Optional<Duration> minCredentialAge = rule.flatMap(Rule::minCredentialAge);
    String freshness = maxAge.isZero()
        ? applies + " for each request (max_age 0s)"
        : applies + " within " + Durations.format(maxAge);

    if (!state.signedIn()) {
      return new Decision.Login(name, Requirement.STEP_UP, List.of(freshness, "not signed in"));
    }
    Optional<String> in = Optional.empty();
    if (allow.isPresent()) {
      in = allow.get().admits(state.username(), state.groups());
      if (in.isEmpty()) return outsider(name, Requirement.STEP_UP, freshness, allow.get(), state);
    }
    Optional<String> refusal = Optional.empty();
    String why;
    Optional<AuthState.StepUp> last = state.stepUp();
    if (last.isEmpty()) {
      why = "no step-up in this session";
    } else {
      AuthState.StepUp s = last.get();
      Duration age = Duration.between(s.at(), state.now());
      refusal = refusal(s, deviceBound, minCredentialAge, state.now());
      if (!s.userVerified()) {
        why = "the last step-up was not user-verified";
      } else if (refusal.isPresent()) {
        why = refusal.get();
      } else if (age.compareTo(CLOCK_SKEW.negated()) < 0) {
        why = "the last step-up is dated in the future";
      } else if (s.consumed()) {
        why = "the last step-up was already used for one request";
      } else if (maxAge.isZero() && !s.forRule().equals(Optional.of(name))) {
        why = "the last step-up was confirmed for another action; this one needs its own";
      } else if (!maxAge.isZero() && s.forRule().filter(r -> oneTime(r, oneTimeRules)).isPresent()) {
        why = "the last step-up was confirmed for the one-time action '" + s.forRule().get() + "' only";
      } else if (maxAge.isZero() && age.compareTo(SINGLE_USE_WINDOW) > 0) {
        why = "the last step-up is " + ago(age) + " old; a single-use step-up lasts "
            + Durations.format(SINGLE_USE_WINDOW);
      } else if (!maxAge.isZero() && age.compareTo(maxAge) > 0) {
        why = "the last step-up is " + ago(age) + " old; older than " + Durations.format(maxAge);
      } else {
        List<String> reasons = reasons(freshness, in, Optional.of("step-up " + ago(age) + " ago satisfies it"));
        return new Decision.Allow(
            name, Requirement.STEP_UP, reasons, true, maxAge.isZero(), audience, description);
      }
    }
    return new Decision.StepUp(name, Requirement.STEP_UP, reasons(freshness, in, Optional.of(why)),
        description, maxAge, deviceBound, minCredentialAge, refusal);
  }

  /**
   * True when a step-up confirmed for {@code forRule} counts for that action alone: a one-time rule
   * of the set, or one of the gateway's own account actions, whose reserved names contain {@code
   * ':'} (which no rule name may) and which are spent once like a one-time rule.
   */
  static boolean oneTime(String forRule, Set<String> oneTimeRules) {
    return oneTimeRules.contains(forRule) || forRule.indexOf(':') >= 0;
  }

  /** Why the passkey behind {@code s} can never satisfy the rule, whatever its freshness. */
  private static Optional<String> refusal(
      AuthState.StepUp s, boolean deviceBound, Optional<Duration> minAge, Instant now) {
    if (deviceBound && s.backupEligible()) {
      return Optional.of("this action needs a passkey that stays on one device (a security key or"
          + " device-bound passkey); synced passkeys do not count");
    }
    if (minAge.isPresent() && s.credentialCreatedAt().isAfter(now.minus(minAge.get()))) {
      return Optional.of("this passkey was added less than " + Durations.format(minAge.get())
          + " ago; it can be used for this from " + usableFrom(s.credentialCreatedAt().plus(minAge.get()))
          + "; until then use a passkey you have had longer");
    }
    return Optional.empty();
  }

  private static final java.time.format.DateTimeFormatter WHEN =
      java.time.format.DateTimeFormatter.ofPattern("d MMM, HH:mm 'UTC'", java.util.Locale.ENGLISH)
          .withZone(java.time.ZoneOffset.UTC);

  /** When a passkey becomes old enough, e.g. {@code 3 Dec, 14:05 UTC}: rounded up to the minute, never early. */
  static String usableFrom(Instant at) {
    var minute = at.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    return WHEN.format(minute.equals(at) ? minute : minute.plusSeconds(60));
  }

  private static String ago(Duration age) {
    return Durations.format(Duration.ofSeconds(Math.max(0, age.toSeconds())));
  }
}
