package dev.stepgate.credential;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture every port contract of the credential storage shares: a fresh backend per test (its
 * ports, and the same ports waited for under short names), and sample values.
 */
public abstract class StorageContract {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  protected Storage storage;
  protected BlockingStore store;

  /** A fresh, empty backend with every port. */
  protected abstract Storage newStorage() throws Exception;

  @BeforeEach
  void open() throws Exception {
    storage = newStorage();
    store = new BlockingStore(storage);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  static User user(String name) {
    var id = new byte[32];
    RANDOM.nextBytes(id);
    return new User(Base64.getUrlEncoder().withoutPadding().encodeToString(id), name, name.toUpperCase(), T0);
  }

  static StoredCredential credential(String userId, byte[] id) {
    return new StoredCredential(id, userId, new byte[] {1, 2, 3}, 0, true, false, false,
        Set.of("internal", "hybrid"), "laptop", T0, Optional.empty(), new UUID(0, 0));
  }

  static byte[] id(int... b) {
    var out = new byte[b.length];
    for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
    return out;
  }

  static byte[] hash(int seed) {
    var h = new byte[32];
    h[0] = (byte) seed;
    h[31] = 7;
    return h;
  }

  /** Runs {@code attempt} on {@code n} threads released at once; returns how many got true. */
  static int race(int n, BooleanSupplier attempt) throws InterruptedException {
    var go = new CountDownLatch(1);
    var done = new CountDownLatch(n);
    var wins = new AtomicInteger();
    var failures = new ArrayList<Throwable>();
    for (int i = 0; i < n; i++) {
      new Thread(() -> {
        try {
          go.await();
          if (attempt.getAsBoolean()) wins.incrementAndGet();
        } catch (Throwable t) {
          synchronized (failures) {
            failures.add(t);
          }
        } finally {
          done.countDown();
        }
      }, "contract-race-" + i).start();
    }
    go.countDown();
    if (!done.await(30, TimeUnit.SECONDS)) throw new AssertionError("the race did not finish");
    if (!failures.isEmpty()) throw new AssertionError("a racer failed", failures.get(0));
    return wins.get();
  }
}
