package dev.stepgate.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the session says about the caller at decision time.
 *
 * @param userId the signed-in user's stable id; empty for an anonymous caller
 * @param authTime when the session's passkey sign-in happened; present iff signed in
 * @param stepUp the newest step-up of this session, if any
 * @param now the clock reading the decision is made at
 * @param username the signed-in user's name, as {@code allow.users} names it; empty for an
 *     anonymous caller (and for a caller whose name the decider was not told)
 * @param groups the signed-in user's groups, as {@code allow.groups} names them; what the
 *     gateway's own store or the app's {@code whoami} says, never what the request claims
 */
public record AuthState(
    Optional<String> userId, Optional<Instant> authTime, Optional<StepUp> stepUp, Instant now,
    Optional<String> username, Set<String> groups) {

  public AuthState {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(authTime, "authTime");
    Objects.requireNonNull(stepUp, "stepUp");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(username, "username");
    groups = Set.copyOf(Objects.requireNonNull(groups, "groups"));
    if (userId.isPresent() != authTime.isPresent()) {
      throw new IllegalArgumentException("userId and authTime must be both present or both empty");
    }
    if (userId.isEmpty() && stepUp.isPresent()) {
      throw new IllegalArgumentException("an anonymous caller cannot hold a step-up");
    }
    if (userId.isEmpty() && (username.isPresent() || !groups.isEmpty())) {
      throw new IllegalArgumentException("an anonymous caller has no name and no groups");
    }
  }

  /** A state without a name or groups (what callers that predate {@code allow} build). */
  public AuthState(Optional<String> userId, Optional<Instant> authTime, Optional<StepUp> stepUp, Instant now) {
    this(userId, authTime, stepUp, now, Optional.empty(), Set.of());
  }

  /** A caller who is not signed in. */
  public static AuthState anonymous(Instant now) {
    return new AuthState(Optional.empty(), Optional.empty(), Optional.empty(), now);
  }

  /** A signed-in caller without a step-up. */
  public static AuthState signedIn(String userId, Instant authTime, Instant now) {
    return new AuthState(Optional.of(userId), Optional.of(authTime), Optional.empty(), now);
  }

  /** This state with {@code stepUp} as the newest step-up. */
  public AuthState withStepUp(StepUp stepUp) {
    return new AuthState(userId, authTime, Optional.of(stepUp), now, username, groups);
  }

  /** This signed-in state with the caller's {@code username} and {@code groups}. */
  public AuthState withSubject(String username, Set<String> groups) {
    if (userId.isEmpty()) throw new IllegalStateException("an anonymous caller has no subject");
    return new AuthState(userId, authTime, stepUp, now, Optional.of(username), groups);
  }

  /** True when the caller is signed in. */
  public boolean signedIn() {
    return userId.isPresent();
  }

  /**
   * One user-verified (or not) passkey assertion made to step up.
   *
   * @param at when the assertion was verified
   * @param userVerified the authenticator's UV flag
   * @param backupEligible the credential's BE flag: true for a synced (multi-device) passkey
   * @param credentialCreatedAt when the asserting passkey was enrolled
   * @param consumed true once a {@code max_age: 0s} rule has used this step-up for its one request
   * @param forRule the rule whose prompt the user confirmed, if the prompt named one. A step-up
   *     confirmed for a one-time ({@code max_age: 0s}) rule authorizes that rule only (SPEC
   *     section 4): confirming one action never silently authorizes another
   */
  public record StepUp(
      Instant at,
      boolean userVerified,
      boolean backupEligible,
      Instant credentialCreatedAt,
      boolean consumed,
      Optional<String> forRule) {
    public StepUp {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(credentialCreatedAt, "credentialCreatedAt");
      Objects.requireNonNull(forRule, "forRule");
    }

    /** A step-up whose prompt named no rule. */
    public StepUp(Instant at, boolean userVerified, boolean backupEligible, Instant credentialCreatedAt, boolean consumed) {
      this(at, userVerified, backupEligible, credentialCreatedAt, consumed, Optional.empty());
    }
  }
}
