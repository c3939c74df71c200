package dev.stepgate.ratelimit;

import java.time.Duration;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Applies {@link Limits} to one request to an endpoint (SPEC section 9), on a {@link RateCounter}.
 * The checks, in order, each only when the one before allowed: a locked account's step-up (too
 * many failures), the client address, the account, the ceremonies the address has open. A refused
 * check does not count against the later ones, and a refused hit counts nothing.
 *
 * <p>Fails closed: when the counter cannot answer, the stage fails and the caller answers 503.
 */
public final class Limiter {
  /** What is limited, and the {@code endpoint} label of {@code stepgate_rate_limited_total}. */
  public enum Endpoint {
    REGISTRATION_OPTIONS(true), REGISTRATION_VERIFY(false), LOGIN_OPTIONS(true), LOGIN_VERIFY(false),
    STEP_UP_OPTIONS(true), STEP_UP_VERIFY(false), INVITE(false), FORWARD_AUTH(false),
    /** {@code recovery/verify}: counted with the invite limits, the tightest (a code is a guessable secret). */
    RECOVERY(false);

    private final boolean startsCeremony;

    Endpoint(boolean startsCeremony) {
      this.startsCeremony = startsCeremony;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean stepUp() {
      return this == STEP_UP_OPTIONS || this == STEP_UP_VERIFY;
    }
  }

  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");
  private static final CompletionStage<Optional<Duration>> GO_ON = CompletableFuture.completedFuture(Optional.empty());

  private final Limits limits;
  private final RateCounter counter;
  private final Rate openCeremonies;
  private final RateLimitListener listener;

  /** @param ceremonyTtl how long a started ceremony lives (what "open" means) */
  public Limiter(Limits limits, RateCounter counter, Duration ceremonyTtl, RateLimitListener listener) {
    this.limits = limits;
    this.counter = counter;
    this.openCeremonies = limits.openCeremonyRate(ceremonyTtl);
    this.listener = listener;
  }

  /**
   * Counts one request to {@code endpoint} from {@code client} (an IP address; null when unknown)
   * for {@code account} (empty when none is named). Empty when it may go on; else how long the
   * caller should wait ({@code Retry-After}).
   */
  public CompletionStage<Optional<Duration>> admit(Endpoint endpoint, String client, Optional<String> account) {
    var ip = clientKey(client);
    CompletionStage<Optional<Duration>> stage = endpoint.stepUp() && account.isPresent()
        ? locked(account.get()) : GO_ON;
    stage = then(stage, () -> check(counter.hit("ip:" + endpoint.label() + ":" + ip, perIp(endpoint))));
    if (account.isPresent()) {
      var key = "account:" + endpoint.label() + ":" + account.get();
      stage = then(stage, () -> check(counter.hit(key, perAccount(endpoint))));
    }
    if (endpoint.startsCeremony) stage = then(stage, () -> check(counter.hit("open:" + ip, openCeremonies)));
    return stage.thenApply(refused -> {
      refused.ifPresent(r -> listener.limited(endpoint));
      return refused;
    });
  }

  /** Records a failed step-up of {@code userId}; enough of them lock its step-ups for a while. */
  public CompletionStage<Void> stepUpFailed(String userId) {
    return counter.hit("step-up-failed:" + userId, limits.stepUpFailureRate()).thenApply(hit -> null);
  }

  /** Whether {@code userId}'s step-ups are locked now, and for how long. */
  CompletionStage<Optional<Duration>> locked(String userId) {
    return check(counter.peek("step-up-failed:" + userId, limits.stepUpFailureRate()));
  }

  private Rate perIp(Endpoint e) {
    return switch (e) {
      case INVITE, RECOVERY -> limits.invitesPerIp();
      case FORWARD_AUTH -> limits.forwardAuthPerIp();
      default -> limits.ceremoniesPerIp();
    };
  }

  private Rate perAccount(Endpoint e) {
    return switch (e) {
      case INVITE, RECOVERY -> limits.invitesPerAccount();
      case FORWARD_AUTH -> limits.forwardAuthPerAccount();
      default -> limits.ceremoniesPerAccount();
    };
  }

  private static CompletionStage<Optional<Duration>> check(CompletionStage<RateCounter.Hit> hit) {
    return hit.thenApply(h -> h.allowed() ? Optional.empty() : Optional.of(h.retryAfter()));
  }

  private static CompletionStage<Optional<Duration>> then(CompletionStage<Optional<Duration>> first,
      Supplier<CompletionStage<Optional<Duration>>> next) {
    return first.thenCompose(refused -> refused.isPresent() ? CompletableFuture.completedFuture(refused) : next.get());
  }

  /**
   * The key a client address is counted under: an IPv4 address as it is; an IPv6 address by its
   * /64, the smallest block one subscriber is given (RFC 6177), so a client cannot step through
   * its own 2^64 addresses to escape its limit.
   */
  static String clientKey(String address) {
    if (address == null || address.isEmpty()) return "unknown";
    if (!IPV6.matcher(address).matches()) return address;
    byte[] b;
    try {
      // A literal (the pattern admits nothing else), so this parses and never looks a name up.
      b = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return address;
    }
    // An IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 client, counted as one.
    if (b.length == 4) return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    var out = new StringBuilder();
    for (int i = 0; i < 8; i += 2) out.append(Integer.toHexString(((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF))).append(':');
    return out.append(":/64").toString();
  }

}
