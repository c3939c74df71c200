package dev.stepgate.ratelimit;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.ratelimit.Limiter.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LimiterTest {
  final TestClock clock = new TestClock();
  final List<Endpoint> limited = new ArrayList<>();
  final Limits limits = new Limits(new Rate(10, Duration.ofMinutes(1), 2), new Rate(10, Duration.ofMinutes(1), 3),
      Limits.DEFAULT_INVITES_PER_IP, Limits.DEFAULT_INVITES_PER_ACCOUNT, Limits.DEFAULT_FORWARD_AUTH_PER_IP,
      Limits.DEFAULT_FORWARD_AUTH_PER_ACCOUNT, 8, 2, Duration.ofMinutes(10));
  final Limiter limiter = new Limiter(limits, new MemoryRateCounter(clock), Duration.ofMinutes(5), limited::add);

  static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void admit_refusedByTheAddress_doesNotSpendTheAccount() throws Exception {
    for (int i = 0; i < 2; i++) assertEquals(Optional.empty(), await(limiter.admit(Endpoint.LOGIN_VERIFY, "10.0.0.1", Optional.of("ann"))));
    assertEquals(Optional.of(Duration.ofSeconds(6)), await(limiter.admit(Endpoint.LOGIN_VERIFY, "10.0.0.1", Optional.of("ann"))));
    // ann's account has spent 2 of 3: one more from elsewhere passes, the next does not.
    assertEquals(Optional.empty(), await(limiter.admit(Endpoint.LOGIN_VERIFY, "10.0.0.2", Optional.of("ann"))));
    assertTrue(await(limiter.admit(Endpoint.LOGIN_VERIFY, "10.0.0.3", Optional.of("ann"))).isPresent());
    assertEquals(List.of(Endpoint.LOGIN_VERIFY, Endpoint.LOGIN_VERIFY), limited);
  }

  @Test
  void stepUpFailures_lockTheAccount_untilOneIsEarnedBack() throws Exception {
    var alice = Optional.of("user-a");
    await(limiter.stepUpFailed("user-a"));
    assertEquals(Optional.empty(), await(limiter.admit(Endpoint.STEP_UP_OPTIONS, "10.0.0.1", alice)));
    await(limiter.stepUpFailed("user-a"));
    assertEquals(Optional.of(Duration.ofMinutes(5)), await(limiter.admit(Endpoint.STEP_UP_VERIFY, "10.0.0.9", alice)));
    assertEquals(Optional.empty(), await(limiter.admit(Endpoint.STEP_UP_OPTIONS, "10.0.0.1", Optional.of("user-b"))));
    assertEquals(Optional.empty(), await(limiter.admit(Endpoint.LOGIN_OPTIONS, "10.0.0.2", Optional.empty())),
        "only step-ups are locked");
    clock.advance(Duration.ofMinutes(5));
    assertEquals(Optional.empty(), await(limiter.admit(Endpoint.STEP_UP_OPTIONS, "10.0.0.3", alice)));
  }

  @Test
  void admit_aCounterThatCannotAnswer_failsTheStage_neverAllows() {
    var down = new RateCounter() {
      @Override
      public CompletionStage<Hit> hit(String key, Rate rate) {
        return CompletableFuture.failedFuture(new IllegalStateException("down"));
      }

      @Override
      public CompletionStage<Hit> peek(String key, Rate rate) {
        return hit(key, rate);
      }
    };
    var l = new Limiter(limits, down, Duration.ofMinutes(5), RateLimitListener.NONE);
    var e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(l.admit(Endpoint.LOGIN_OPTIONS, "10.0.0.1", Optional.empty())));
    assertEquals("down", e.getCause().getMessage());
  }

  @Test
  void clientKey_countsIpv6ByItsSlash64_andIpv4AsItIs() {
    assertEquals("2001:db8:1:2::/64", Limiter.clientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
    assertEquals("2001:db8:1:2::/64", Limiter.clientKey("2001:0db8:0001:0002::1"));
    assertEquals("2001:db8:0:0::/64", Limiter.clientKey("2001:db8::1"));
    assertEquals("0:0:0:0::/64", Limiter.clientKey("0:0:0:0:0:0:0:1"));
    assertEquals("203.0.113.7", Limiter.clientKey("203.0.113.7"));
    assertEquals("203.0.113.7", Limiter.clientKey("::ffff:203.0.113.7"), "an IPv4-mapped client is that IPv4 client, not ::/64");
    assertEquals("unknown", Limiter.clientKey(null));
  }
}
