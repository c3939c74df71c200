package dev.stepgate.credential;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link InviteStore} backend must do (embedded now, Postgres next). Each backend's test extends this. */
public abstract class InviteStoreContract extends StorageContract {
  @Test
  void consumeInvite_succeedsOnceOnly() {
    store.createInvite(hash(1), "alice", T0.plusSeconds(60));
    assertEquals(Optional.of("alice"), store.findInvite(hash(1), T0));
    assertTrue(store.consumeInvite(hash(1), "alice", T0));
    assertFalse(store.consumeInvite(hash(1), "alice", T0));
  }

  @Test
  void consumeInvite_expired_isRefused() {
    store.createInvite(hash(1), "alice", T0.plusSeconds(60));
    assertEquals(Optional.empty(), store.findInvite(hash(1), T0.plus(Duration.ofSeconds(60))));
    assertFalse(store.consumeInvite(hash(1), "alice", T0.plusSeconds(61)));
  }

  @Test
  void consumeInvite_otherUsername_isRefused() {
    store.createInvite(hash(1), "alice", T0.plusSeconds(60));
    assertFalse(store.consumeInvite(hash(1), "mallory", T0));
    assertTrue(store.consumeInvite(hash(1), "alice", T0));
  }

  @Test
  void consumeInvite_twentyConcurrentConsumers_exactlyOneWins() throws Exception {
    store.createInvite(hash(1), "alice", T0.plusSeconds(60));
    assertEquals(1, race(20, () -> join(storage.invites().consume(hash(1), "alice", T0))));
    assertEquals(Optional.empty(), store.findInvite(hash(1), T0));
  }

  @Test
  void createInvite_notASha256Digest_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> store.createInvite(new byte[31], "alice", T0));
    assertEquals("tokenHash must be a SHA-256 digest", e.getMessage());
  }
}
