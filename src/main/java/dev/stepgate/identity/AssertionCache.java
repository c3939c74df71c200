package dev.stepgate.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;

/**
 * Reuses signed assertions so the request path does not sign per request (an ES256 signature
 * costs tens of microseconds; a hit costs a hash lookup).
 *
 * <p>Keyed by the whole {@link AssertionClaims} (session, audience, acr, rule, auth and step-up
 * times, amr, username, subject, issuer, groups): a token is reused only for requests it describes
 * exactly, so a change of the user's groups is signed anew. A cached token is handed out until {@link #REFRESH_BEFORE_EXPIRY} before its {@code
 * exp}, so the upstream always receives at least that much validity; after that, or once the
 * current signing key has changed (a rotation here or, after {@link SigningKeys#reload()}, on
 * another node), a new one is signed.
 *
 * <p>Thread-safe. Concurrent misses for the same claims sign once.
 */
public final class AssertionCache {

  /** A cached token is not handed out when it has less than this left. */
  public static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofSeconds(60);

  /** Default bound on cached tokens (about one per active session and rule). */
  public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

  private final AssertionSigner signer;
  private final Clock clock;
  private final Cache<AssertionClaims, SignedAssertion> cache;

  /**
   * @param signer signs on a miss; its lifetime must exceed {@link #REFRESH_BEFORE_EXPIRY}
   * @param maximumSize most tokens held; must be positive
   */
  public AssertionCache(AssertionSigner signer, Clock clock, long maximumSize) {
    if (signer == null) throw new IllegalArgumentException("signer must not be null");
    if (clock == null) throw new IllegalArgumentException("clock must not be null");
    if (maximumSize <= 0) throw new IllegalArgumentException("maximum size must be positive");
    if (signer.lifetime().compareTo(REFRESH_BEFORE_EXPIRY) <= 0)
      throw new IllegalArgumentException("signer lifetime must exceed " + REFRESH_BEFORE_EXPIRY.toSeconds() + "s");
    this.signer = signer;
    this.clock = clock;
    // expireAfterWrite only frees memory of idle sessions; whether a token may be reused is decided
    // by usable() against the injected clock.
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfterWrite(signer.lifetime().minus(REFRESH_BEFORE_EXPIRY))
        .executor(Runnable::run) // upkeep inline: no hand-off to the ForkJoin pool from the request path
        .build();
  }

  /**
   * A token for {@code claims}: a cached one if it was signed by the current key and has at least
   * {@link #REFRESH_BEFORE_EXPIRY} left, else a freshly signed one.
   *
   * @throws IdentityException if a signature is needed and cannot be made
   */
  public SignedAssertion assertionFor(AssertionClaims claims) {
    var kid = signer.currentKid();
    var hit = cache.getIfPresent(claims);
    if (hit != null && usable(hit, kid)) return hit;
    // compute() runs at most once per key at a time, so a burst of misses signs once.
    return cache.asMap().compute(claims, (c, old) -> old != null && usable(old, signer.currentKid()) ? old : signer.sign(c));
  }

  /**
   * True when {@code assertion} (from {@link #assertionFor}) may still be handed out as it is:
   * signed by the current key and at least {@link #REFRESH_BEFORE_EXPIRY} from its expiry.
   */
  public boolean reusable(SignedAssertion assertion) {
    return usable(assertion, signer.currentKid());
  }

  /** Drops every cached token (e.g. after a rotation, to free memory at once). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** Approximate number of cached tokens. */
  public long size() {
    return cache.estimatedSize();
  }

  private boolean usable(SignedAssertion a, String currentKid) {
    return a.kid().equals(currentKid) && clock.instant().isBefore(a.expiresAt().minus(REFRESH_BEFORE_EXPIRY));
  }
}
