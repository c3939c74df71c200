package dev.stepgate.identity;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.identity.SigningKeyStore.StoredSigningKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every {@link SigningKeyStore} backend must do (embedded, memory, Postgres next). */
public abstract class SigningKeyStoreContract {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  /** A fresh, empty store. */
  protected abstract SigningKeyStore newStore();

  /** Releases what {@link #newStore} opened. */
  protected void closeStore() {}

  @AfterEach
  void release() {
    closeStore();
  }

  @Test
  void addRetireDrop_followTheContract() {
    var store = newStore();
    join(store.add(new StoredSigningKey("k1", "{\"d\":1}", T0, Optional.empty())));
    join(store.add(new StoredSigningKey("k2", "{\"d\":2}", T0.plusSeconds(10), Optional.empty())));
    assertEquals(List.of("k2", "k1"), join(store.all()).stream().map(StoredSigningKey::kid).toList());
    assertThrows(RuntimeException.class, () -> join(store.add(new StoredSigningKey("k1", "{}", T0, Optional.empty()))));
    join(store.retire("k1", T0.plusSeconds(20)));
    assertEquals(Optional.of(T0.plusSeconds(20)), join(store.all()).get(1).retiredAt());
    assertEquals(0, join(store.dropRetiredBefore(T0.plusSeconds(20))));
    assertEquals(1, join(store.dropRetiredBefore(T0.plusSeconds(21))));
    assertEquals(List.of("k2"), join(store.all()).stream().map(StoredSigningKey::kid).toList());
  }

  @Test
  void retire_alreadyRetired_keepsTheFirstRetirement() {
    var store = newStore();
    join(store.add(new StoredSigningKey("k1", "{\"d\":1}", T0, Optional.empty())));
    join(store.retire("k1", T0.plusSeconds(5)));
    join(store.retire("k1", T0.plusSeconds(50)));
    assertEquals(Optional.of(T0.plusSeconds(5)), join(store.all()).get(0).retiredAt());
  }
}
