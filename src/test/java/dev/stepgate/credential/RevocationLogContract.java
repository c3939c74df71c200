package dev.stepgate.credential;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link RevocationLog} backend must do (embedded now, Postgres next). Each backend's test extends this. */
public abstract class RevocationLogContract extends StorageContract {
  @Test
  void revokeCredential_appendsToTheRevocationRecordInOrder() {
    var a = user("alice");
    store.createUser(a);
    store.addCredential(credential(a.id(), id(1)));
    store.addCredential(credential(a.id(), id(2)));
    long before = store.lastRevocationSeq();
    assertTrue(store.revokeCredential(a.id(), id(2)));
    assertTrue(store.revokeCredential(a.id(), id(1)));
    var entries = store.revocationsAfter(before, 10);
    assertEquals(2, entries.size());
    assertEquals(Optional.of(CredentialId.of(id(2))), entries.get(0).credentialId());
    assertEquals(Optional.of(CredentialId.of(id(1))), entries.get(1).credentialId());
    assertEquals(a.id(), entries.get(0).userId());
    assertTrue(entries.get(0).seq() < entries.get(1).seq());
    assertEquals(entries.get(1).seq(), store.lastRevocationSeq());
    assertEquals(List.of(entries.get(1)), store.revocationsAfter(entries.get(0).seq(), 10));
    assertEquals(List.of(entries.get(0)), store.revocationsAfter(before, 1));
  }

  @Test
  void revokeCredential_refused_appendsNothing() {
    var a = user("alice");
    var b = user("bob");
    store.createUser(a);
    store.createUser(b);
    store.addCredential(credential(a.id(), id(1)));
    long before = store.lastRevocationSeq();
    assertFalse(store.revokeCredential(b.id(), id(1)));
    assertFalse(store.revokeCredential(a.id(), id(9)));
    assertEquals(before, store.lastRevocationSeq());
    assertEquals(List.of(), store.revocationsAfter(before, 10));
  }

}
