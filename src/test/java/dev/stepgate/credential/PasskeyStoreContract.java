package dev.stepgate.credential;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link PasskeyStore} backend must do (embedded now, Postgres next). Each backend's test extends this. */
public abstract class PasskeyStoreContract extends StorageContract {
  @Test
  void addCredential_roundTripsEveryField() {
    var u = user("alice");
    store.createUser(u);
    var c = new StoredCredential(id(9, 9), u.id(), new byte[] {4, 5}, 17, true, true, true,
        Set.of("usb"), "key", T0, Optional.of(T0.plusSeconds(3)), UUID.randomUUID());
    store.addCredential(c);
    assertEquals(Optional.of(c), store.findCredential(id(9, 9)));
    assertEquals(List.of(c), store.listCredentials(u.id()));
  }

  @Test
  void addCredential_existingIdForAnotherUser_isRefusedNotRebound() {
    var a = user("alice");
    var b = user("bob");
    store.createUser(a);
    store.createUser(b);
    store.addCredential(credential(a.id(), id(1)));
    var e = assertThrows(CredentialException.class, () -> store.addCredential(credential(b.id(), id(1))));
    assertEquals("credential-exists", e.type());
    assertEquals(409, e.status());
    assertEquals(a.id(), store.findCredential(id(1)).orElseThrow().userId());
  }

  @Test
  void enroll_newUserWithInvite_writesAllAndSpendsTheInvite() {
    store.createInvite(hash(1), "alice", T0.plusSeconds(60));
    var u = user("alice");
    store.enroll(new Enrollment(Optional.of(u), Optional.of(hash(1)), credential(u.id(), id(1))), T0);
    assertTrue(store.findUserByUsername("alice").isPresent());
    assertTrue(store.findCredential(id(1)).isPresent());
    assertEquals(Optional.empty(), store.findInvite(hash(1), T0));
  }

  @Test
  void enroll_duplicateCredential_writesNothing() {
    var a = user("alice");
    store.createUser(a);
    store.addCredential(credential(a.id(), id(1)));
    store.createInvite(hash(1), "bob", T0.plusSeconds(60));
    var b = user("bob");
    var e = assertThrows(CredentialException.class,
        () -> store.enroll(new Enrollment(Optional.of(b), Optional.of(hash(1)), credential(b.id(), id(1))), T0));
    assertEquals("credential-exists", e.type());
    assertEquals(Optional.empty(), store.findUserByUsername("bob"));
    assertEquals(Optional.of("bob"), store.findInvite(hash(1), T0), "the invite must still be usable");
  }

  @Test
  void enroll_usedInvite_isRefused() {
    store.createInvite(hash(1), "alice", T0.plusSeconds(60));
    assertTrue(store.consumeInvite(hash(1), "alice", T0));
    var u = user("alice");
    var e = assertThrows(CredentialException.class,
        () -> store.enroll(new Enrollment(Optional.of(u), Optional.of(hash(1)), credential(u.id(), id(1))), T0));
    assertEquals("invite-invalid", e.type());
    assertEquals(Optional.empty(), store.findUserByUsername("alice"));
  }

  @Test
  void recordAssertion_growingCounter_updatesState() {
    var u = user("alice");
    store.createUser(u);
    store.addCredential(new StoredCredential(id(1), u.id(), new byte[] {1}, 5, false, true, false,
        Set.of(), "k", T0, Optional.empty(), new UUID(0, 0)));
    assertTrue(store.recordAssertion(id(1), 6, true, true, T0.plusSeconds(1)));
    var c = store.findCredential(id(1)).orElseThrow();
    assertEquals(6, c.signCount());
    assertTrue(c.backupState());
    assertTrue(c.uvInitialized());
    assertEquals(Optional.of(T0.plusSeconds(1)), c.lastUsedAt());
  }

  @Test
  void recordAssertion_sameOrLowerCounter_isRefused() {
    var u = user("alice");
    store.createUser(u);
    store.addCredential(new StoredCredential(id(1), u.id(), new byte[] {1}, 5, false, false, false,
        Set.of(), "k", T0, Optional.empty(), new UUID(0, 0)));
    assertFalse(store.recordAssertion(id(1), 5, false, true, T0));
    assertFalse(store.recordAssertion(id(1), 4, false, true, T0));
    assertEquals(5, store.findCredential(id(1)).orElseThrow().signCount());
  }

  @Test
  void recordAssertion_zeroCounterOnBothSides_isAccepted() {
    var u = user("alice");
    store.createUser(u);
    store.addCredential(credential(u.id(), id(1)));
    assertTrue(store.recordAssertion(id(1), 0, false, false, T0));
    assertTrue(store.recordAssertion(id(1), 0, false, false, T0));
  }

  @Test
  void recordAssertion_unknownCredential_returnsFalse() {
    assertFalse(store.recordAssertion(id(42), 1, false, false, T0));
  }

  @Test
  void revokeCredential_onlyTheOwnersCredential_isDeleted() {
    var a = user("alice");
    var b = user("bob");
    store.createUser(a);
    store.createUser(b);
    store.addCredential(credential(a.id(), id(1)));
    assertFalse(store.revokeCredential(b.id(), id(1)));
    assertTrue(store.findCredential(id(1)).isPresent());
    assertTrue(store.revokeCredential(a.id(), id(1)));
    assertEquals(Optional.empty(), store.findCredential(id(1)));
  }

  @Test
  void recordAssertion_twentyConcurrentWritersOfOneCounter_exactlyOneWins() throws Exception {
    var u = user("alice");
    store.createUser(u);
    store.addCredential(new StoredCredential(id(1), u.id(), new byte[] {1}, 5, false, false, false,
        Set.of(), "k", T0, Optional.empty(), new UUID(0, 0)));
    // A cloned authenticator presents the same counter twenty times at once: one may pass.
    var wins = race(20, () -> join(storage.passkeys().recordAssertion(id(1), 6, false, true, T0)));
    assertEquals(1, wins);
    assertEquals(6, store.findCredential(id(1)).orElseThrow().signCount());
  }

  @Test
  void revoke_twentyConcurrentRevokers_exactlyOneDeletes() throws Exception {
    var u = user("alice");
    store.createUser(u);
    store.addCredential(credential(u.id(), id(1)));
    long before = store.lastRevocationSeq();
    assertEquals(1, race(20, () -> join(storage.passkeys().revoke(u.id(), id(1)))));
    assertEquals(1, store.revocationsAfter(before, 10).size(), "one revocation is recorded");
  }

  @Test
  void rename_theOwnersCredential_changesOnlyItsLabel() {
    var a = user("alice");
    var b = user("bob");
    store.createUser(a);
    store.createUser(b);
    store.addCredential(credential(a.id(), id(1)));
    store.addCredential(credential(a.id(), id(2)));
    assertFalse(join(storage.passkeys().rename(b.id(), id(1), "stolen")));
    assertTrue(join(storage.passkeys().rename(a.id(), id(1), "  Work laptop é ")));
    assertEquals("Work laptop é", store.findCredential(id(1)).orElseThrow().label());
    assertEquals("laptop", store.findCredential(id(2)).orElseThrow().label());
    assertFalse(join(storage.passkeys().rename(a.id(), id(9), "x")));
  }

  @Test
  void rename_badLabel_isRefusedAndChangesNothing() {
    var a = user("alice");
    store.createUser(a);
    store.addCredential(credential(a.id(), id(1)));
    for (var bad : new String[] {"", "   ", "a\u0007b", "line\nbreak", "<script>", "a>b", "x".repeat(65),
        "evil\u202Egnp.exe", "line\u2028sep"}) {
      var e = assertThrows(CredentialException.class, () -> join(storage.passkeys().rename(a.id(), id(1), bad)), bad);
      assertEquals("invalid-label", e.type());
      assertEquals(400, e.status());
    }
    assertTrue(join(storage.passkeys().rename(a.id(), id(1), "\ud83d\udd11".repeat(64))), "64 characters (code points) though 128 Java chars");
  }
}
