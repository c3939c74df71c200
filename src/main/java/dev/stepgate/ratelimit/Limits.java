package dev.stepgate.ratelimit;

import java.time.Duration;

/**
 * The configured limits (config section {@code limits}), immutable. Per client address and per
 * account; the defaults are far above what a person at a browser does, and far below what a
 * script hammering an endpoint needs.
 *
 * @param ceremoniesPerIp each of registration, sign-in and step-up options and verify, per client address
 * @param ceremoniesPerAccount the same, per account (the username asked for, or the signed-in account)
 * @param invitesPerIp registrations that present an invitation, per client address
 * @param invitesPerAccount the same, per username the invitation is tried for
 * @param forwardAuthPerIp forward-auth decisions, per client address (the proxy's {@code X-Forwarded-For})
 * @param forwardAuthPerAccount forward-auth decisions, per signed-in account
 * @param openCeremoniesPerIp ceremonies one client address may have started within a ceremony's lifetime
 * @param stepUpFailures failed step-ups of one account that lock its step-ups
 * @param stepUpFailureWindow the lock wears off at one attempt per {@code stepUpFailureWindow / stepUpFailures}
 */
public record Limits(Rate ceremoniesPerIp, Rate ceremoniesPerAccount, Rate invitesPerIp, Rate invitesPerAccount,
    Rate forwardAuthPerIp, Rate forwardAuthPerAccount, int openCeremoniesPerIp, int stepUpFailures,
    Duration stepUpFailureWindow) {
  public static final Rate DEFAULT_CEREMONIES_PER_IP = new Rate(30, Duration.ofMinutes(1), 10);
  public static final Rate DEFAULT_CEREMONIES_PER_ACCOUNT = new Rate(10, Duration.ofMinutes(1), 10);
  public static final Rate DEFAULT_INVITES_PER_IP = new Rate(10, Duration.ofMinutes(1), 5);
  public static final Rate DEFAULT_INVITES_PER_ACCOUNT = new Rate(5, Duration.ofMinutes(1), 5);
  public static final Rate DEFAULT_FORWARD_AUTH_PER_IP = new Rate(6000, Duration.ofMinutes(1), 600);
  public static final Rate DEFAULT_FORWARD_AUTH_PER_ACCOUNT = new Rate(6000, Duration.ofMinutes(1), 600);
  public static final int DEFAULT_OPEN_CEREMONIES_PER_IP = 100;
  public static final int DEFAULT_STEP_UP_FAILURES = 5;
  public static final Duration DEFAULT_STEP_UP_FAILURE_WINDOW = Duration.ofMinutes(15);
  public static final Limits DEFAULTS = new Limits(DEFAULT_CEREMONIES_PER_IP, DEFAULT_CEREMONIES_PER_ACCOUNT,
      DEFAULT_INVITES_PER_IP, DEFAULT_INVITES_PER_ACCOUNT, DEFAULT_FORWARD_AUTH_PER_IP, DEFAULT_FORWARD_AUTH_PER_ACCOUNT,
      DEFAULT_OPEN_CEREMONIES_PER_IP, DEFAULT_STEP_UP_FAILURES, DEFAULT_STEP_UP_FAILURE_WINDOW);

  public Limits {
    if (ceremoniesPerIp == null || ceremoniesPerAccount == null || invitesPerIp == null || invitesPerAccount == null
        || forwardAuthPerIp == null || forwardAuthPerAccount == null) throw new IllegalArgumentException("rates must not be null");
    if (openCeremoniesPerIp < 2) throw new IllegalArgumentException("openCeremoniesPerIp must be at least 2");
    if (stepUpFailures < 1) throw new IllegalArgumentException("stepUpFailures must be at least 1");
    if (stepUpFailureWindow == null || stepUpFailureWindow.isNegative() || stepUpFailureWindow.isZero())
      throw new IllegalArgumentException("stepUpFailureWindow must be positive");
  }

  /** The GCRA rate that counts failed step-ups: {@code stepUpFailures} at once, then locked. */
  Rate stepUpFailureRate() {
    return new Rate(stepUpFailures, stepUpFailureWindow, stepUpFailures);
  }

  /**
   * The rate that bounds the ceremonies one address has open. GCRA lets at most {@code burst +
   * count} hits through in any {@code ttl} (the burst, then one per {@code ttl / count}), and a
   * ceremony lives {@code ttl}, so at most {@code openCeremoniesPerIp} are alive at once: three
   * quarters of them at once, the rest as the oldest could have expired.
   */
  Rate openCeremonyRate(Duration ttl) {
    int count = Math.max(1, openCeremoniesPerIp / 4);
    return new Rate(count, ttl, openCeremoniesPerIp - count);
  }
}
