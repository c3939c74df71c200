package dev.stepgate.credential;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RecoveryStore} backend must do, and the last-passkey rule of {@link
 * PasskeyStore#revokeUnlessLast} that reads it. Each backend's test extends this.
 */
public abstract class RecoveryStoreContract extends StorageContract {
  private User alice() {
    var u = user("alice");
    store.createUser(u);
    return u;
  }

  @Test
  void spendCode_worksOnceOnly() {
    var u = alice();
    join(storage.recovery().replaceCodes(u.id(), List.of(hash(1), hash(2)), T0));
    assertEquals(2, join(storage.recovery().unusedCodes(u.id())));
    assertTrue(join(storage.recovery().spendCode(u.id(), hash(1), T0)));
    assertFalse(join(storage.recovery().spendCode(u.id(), hash(1), T0)));
    assertEquals(1, join(storage.recovery().unusedCodes(u.id())));
  }

  @Test
  void spendCode_anotherUsersCode_isRefused() {
    var u = alice();
    var bob = user("bob");
    store.createUser(bob);
    join(storage.recovery().replaceCodes(u.id(), List.of(hash(1)), T0));
    assertFalse(join(storage.recovery().spendCode(bob.id(), hash(1), T0)));
    assertFalse(join(storage.recovery().spendCode(u.id(), hash(9), T0)));
    assertTrue(join(storage.recovery().spendCode(u.id(), hash(1), T0)));
  }

  @Test
  void replaceCodes_previousSetStopsWorking() {
    var u = alice();
    join(storage.recovery().replaceCodes(u.id(), List.of(hash(1), hash(2)), T0));
    join(storage.recovery().replaceCodes(u.id(), List.of(hash(3)), T0));
    assertFalse(join(storage.recovery().spendCode(u.id(), hash(1), T0)));
    assertEquals(1, join(storage.recovery().unusedCodes(u.id())));
    assertTrue(join(storage.recovery().spendCode(u.id(), hash(3), T0)));
  }

  @Test
  void spendCode_twentyConcurrentSpends_exactlyOneWins() throws Exception {
    var u = alice();
    join(storage.recovery().replaceCodes(u.id(), List.of(hash(1)), T0));
    assertEquals(1, race(20, () -> join(storage.recovery().spendCode(u.id(), hash(1), T0))));
  }

  @Test
  void spendLink_singleUse_andUntilExpiry() {
    var u = alice();
    join(storage.recovery().createLink(hash(1), u.id(), T0.plusSeconds(60)));
    join(storage.recovery().createLink(hash(2), u.id(), T0.plusSeconds(60)));
    assertEquals(Optional.of(u.id()), join(storage.recovery().spendLink(hash(1), T0)));
    assertEquals(Optional.empty(), join(storage.recovery().spendLink(hash(1), T0)));
    assertEquals(Optional.empty(), join(storage.recovery().spendLink(hash(2), T0.plus(Duration.ofSeconds(60)))));
    assertEquals(Optional.empty(), join(storage.recovery().spendLink(hash(3), T0)));
  }

  @Test
  void spendLink_twentyConcurrentSpends_exactlyOneWins() throws Exception {
    var u = alice();
    join(storage.recovery().createLink(hash(1), u.id(), T0.plusSeconds(60)));
    assertEquals(1, race(20, () -> join(storage.recovery().spendLink(hash(1), T0)).isPresent()));
  }

  @Test
  void revokeUnlessLast_lastPasskeyWithoutCodes_isRefused() {
    var u = alice();
    store.addCredential(credential(u.id(), id(1)));
    assertEquals(PasskeyStore.Revoked.LAST_PASSKEY, join(storage.passkeys().revokeUnlessLast(u.id(), id(1))));
    assertTrue(store.findCredential(id(1)).isPresent());
    assertEquals(PasskeyStore.Revoked.NOT_FOUND, join(storage.passkeys().revokeUnlessLast(u.id(), id(2))));
  }

  @Test
  void revokeUnlessLast_lastPasskeyWithUnusedCodes_isRevoked() {
    var u = alice();
    store.addCredential(credential(u.id(), id(1)));
    join(storage.recovery().replaceCodes(u.id(), List.of(hash(1)), T0));
    assertEquals(PasskeyStore.Revoked.REVOKED, join(storage.passkeys().revokeUnlessLast(u.id(), id(1))));
    assertTrue(store.findCredential(id(1)).isEmpty());
  }

  @Test
  void revokeUnlessLast_twoConcurrentRevokesOfTwoPasskeys_exactlyOneSucceeds() throws Exception {
    for (int r = 0; r < 5; r++) {
      final int round = r;
      var u = user("alice" + round);
      store.createUser(u);
      store.addCredential(credential(u.id(), id(round, 1)));
      store.addCredential(credential(u.id(), id(round, 2)));
      var which = new java.util.concurrent.atomic.AtomicInteger();
      int won = race(2, () -> join(storage.passkeys().revokeUnlessLast(u.id(), id(round, which.incrementAndGet())))
          == PasskeyStore.Revoked.REVOKED);
      assertEquals(1, won);
      assertEquals(1, join(storage.passkeys().ofUser(u.id())).size());
    }
  }

  @Test
  void viaRecovery_isStoredAndReadBack() {
    var u = alice();
    var plain = credential(u.id(), id(1));
    var recovered = new StoredCredential(id(2), u.id(), new byte[] {1, 2, 3}, 0, true, false, false,
        java.util.Set.of(), "new", T0, Optional.empty(), new java.util.UUID(0, 0), true);
    store.addCredential(plain);
    store.addCredential(recovered);
    assertFalse(store.findCredential(id(1)).orElseThrow().viaRecovery());
    assertEquals(recovered, store.findCredential(id(2)).orElseThrow());
  }
}
