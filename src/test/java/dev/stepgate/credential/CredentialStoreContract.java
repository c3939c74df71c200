package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.identity.SigningKeyStore.StoredSigningKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link CredentialStore} backend must do. Each backend's test extends this. */
public abstract class CredentialStoreContract {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  protected CredentialStore store;

  /** A fresh, empty store. */
  protected abstract CredentialStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() {
    store.close();
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

  @Test
  void createUser_thenFindByUsernameAndId_returnsIt() {
    var u = user("alice");
    store.createUser(u);
    assertEquals(Optional.of(u), store.findUserByUsername("alice"));
    assertEquals(Optional.of(u), store.findUserById(u.id()));
    assertEquals(Optional.empty(), store.findUserByUsername("bob"));
  }

  @Test
  void createUser_takenUsername_isRefused() {
    store.createUser(user("alice"));
    var e = assertThrows(CredentialException.class, () -> store.createUser(user("alice")));
    assertEquals("username-taken", e.type());
    assertEquals(409, e.status());
  }

  @Test
  void listUsers_isSortedByUsername() {
    store.createUser(user("carol"));
    store.createUser(user("alice"));
    assertEquals(List.of("alice", "carol"), store.listUsers().stream().map(User::username).toList());
  }

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
  void recordEvent_isReturnedNewestFirst() {
    store.recordEvent("registered", Optional.of("u1"), "first");
    store.recordEvent("possible-clone", Optional.empty(), "second");
    var events = store.recentEvents(10);
    assertEquals(List.of("possible-clone", "registered"), events.stream().map(AuditEvent::kind).toList());
    assertEquals(Optional.of("u1"), events.get(1).userId());
    assertEquals(1, store.recentEvents(1).size());
  }

  @Test
  void signingKeys_addRetireDrop_followTheContract() {
    store.addSigningKey(new StoredSigningKey("k1", "{\"d\":1}", T0, Optional.empty()));
    store.addSigningKey(new StoredSigningKey("k2", "{\"d\":2}", T0.plusSeconds(10), Optional.empty()));
    assertEquals(List.of("k2", "k1"), store.signingKeys().stream().map(StoredSigningKey::kid).toList());
    assertThrows(CredentialException.class,
        () -> store.addSigningKey(new StoredSigningKey("k1", "{}", T0, Optional.empty())));
    store.retireSigningKey("k1", T0.plusSeconds(20));
    assertEquals(Optional.of(T0.plusSeconds(20)), store.signingKeys().get(1).retiredAt());
    assertEquals(0, store.dropRetiredBefore(T0.plusSeconds(20)));
    assertEquals(1, store.dropRetiredBefore(T0.plusSeconds(21)));
    assertEquals(List.of("k2"), store.signingKeys().stream().map(StoredSigningKey::kid).toList());
  }
}
