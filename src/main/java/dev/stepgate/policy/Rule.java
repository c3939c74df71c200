package dev.stepgate.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule of a policy set (SPEC section 3). The step-up settings are present only on {@code
 * step_up} rules: {@code maxAge} is how old the user-verified assertion may be ({@link
 * Duration#ZERO}: one step-up authorizes exactly one request), {@code deviceBound} demands a
 * passkey that cannot sync, {@code minCredentialAge} refuses recently enrolled passkeys.
 *
 * @param allow who may pass, on {@code authenticated} and {@code step_up} rules only ({@code
 *     public} lets anyone pass and {@code deny} nobody, so a list there would be a mistake)
 * @param location where the rule starts in its file
 */
public record Rule(
    String name,
    Optional<String> description,
    RuleMatch match,
    Requirement require,
    Optional<Duration> maxAge,
    boolean deviceBound,
    Optional<Duration> minCredentialAge,
    Optional<String> audience,
    Optional<AllowList> allow,
    Location location) {

  /** The max age of a {@code step_up} rule that does not set {@code max_age}. */
  public static final Duration DEFAULT_STEP_UP_MAX_AGE = Duration.ofMinutes(5);

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(require, "require");
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(minCredentialAge, "minCredentialAge");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(allow, "allow");
    Objects.requireNonNull(location, "location");
    if (name.isBlank()) throw new IllegalArgumentException("name must not be blank");
    if (require != Requirement.STEP_UP
        && (maxAge.isPresent() || deviceBound || minCredentialAge.isPresent())) {
      throw new IllegalArgumentException("step-up settings are only allowed on step_up rules");
    }
    if (allow.isPresent() && (require == Requirement.PUBLIC || require == Requirement.DENY)) {
      throw new IllegalArgumentException("allow is only allowed on authenticated and step_up rules");
    }
    if (maxAge.filter(Duration::isNegative).isPresent()
        || minCredentialAge.filter(Duration::isNegative).isPresent()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (require == Requirement.STEP_UP && maxAge.isEmpty()) maxAge = Optional.of(DEFAULT_STEP_UP_MAX_AGE);
  }

  /** A rule without {@code allow}: every signed-in caller may pass it. */
  public Rule(String name, Optional<String> description, RuleMatch match, Requirement require,
      Optional<Duration> maxAge, boolean deviceBound, Optional<Duration> minCredentialAge,
      Optional<String> audience, Location location) {
    this(name, description, match, require, maxAge, deviceBound, minCredentialAge, audience,
        Optional.empty(), location);
  }
}
