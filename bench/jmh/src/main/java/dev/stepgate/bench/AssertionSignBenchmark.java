package dev.stepgate.bench;

import dev.stepgate.identity.AssertionCache;
import dev.stepgate.identity.AssertionClaims;
import dev.stepgate.identity.AssertionSigner;
import dev.stepgate.identity.SigningKeyStore;
import dev.stepgate.identity.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What {@link AssertionCache} saves on the request path: a raw ES256 signature of an {@code
 * X-Stepgate-Assertion} versus a cache hit for the same claims.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AssertionSignBenchmark {
  private AssertionSigner signer;
  private AssertionCache cache;
  private AssertionClaims claims;

  @Setup
  public void setUp() {
    var clock = Clock.systemUTC();
    var keys = SigningKeys.load(new MemoryStore(), clock, Duration.ofHours(24)).toCompletableFuture().join();
    signer = new AssertionSigner(keys, clock, AssertionSigner.MAX_LIFETIME);
    cache = new AssertionCache(signer, clock, AssertionCache.DEFAULT_MAXIMUM_SIZE);
    claims = new AssertionClaims("https://gw.example.com", "http://127.0.0.1:3000", "u-7f3a9c2e",
        "alice@example.com", AssertionClaims.sessionIdHash("a-session-id"), Instant.now().minusSeconds(600),
        Optional.of(Instant.now().minusSeconds(30)), AssertionClaims.amrFor(false, true),
        AssertionClaims.ACR_STEP_UP, "change-email");
    cache.assertionFor(claims);
  }

  /** Signs every time: what the request path would cost without the cache. */
  @Benchmark
  public String rawSign() {
    return signer.sign(claims).token();
  }

  /** A cache hit: what the request path costs for a session already seen in the last 4 minutes. */
  @Benchmark
  public String cacheHit() {
    return cache.assertionFor(claims).token();
  }

  /** Signing keys kept in memory; the benchmark measures signing, not storage. */
  static final class MemoryStore implements SigningKeyStore {
    private final List<StoredSigningKey> keys = new ArrayList<>();

    @Override
    public synchronized CompletionStage<List<StoredSigningKey>> all() {
      return CompletableFuture.completedFuture(List.copyOf(keys));
    }

    @Override
    public synchronized CompletionStage<Void> add(StoredSigningKey key) {
      keys.add(0, key);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> retire(String kid, Instant retiredAt) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("not needed here"));
    }

    @Override
    public CompletionStage<Integer> dropRetiredBefore(Instant before) {
      return CompletableFuture.completedFuture(0);
    }
  }
}
