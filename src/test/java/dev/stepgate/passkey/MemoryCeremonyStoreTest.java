package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryCeremonyStoreTest extends CeremonyStoreContract {
  @Override
  protected CeremonyStore newStore() {
    return new MemoryCeremonyStore(Duration.ofMinutes(5));
  }

  @Test
  void constructor_nonPositiveTtl_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new MemoryCeremonyStore(Duration.ZERO));
    assertEquals("ttl must be positive", e.getMessage());
  }

  @Test
  void constructor_nonPositiveSize_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new MemoryCeremonyStore(Duration.ofMinutes(1), 0));
    assertEquals("maximum size must be positive", e.getMessage());
  }
}
