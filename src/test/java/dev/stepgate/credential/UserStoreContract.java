package dev.stepgate.credential;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link UserStore} backend must do (embedded now, Postgres next). Each backend's test extends this. */
public abstract class UserStoreContract extends StorageContract {
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
  void createUser_isEnabled() {
    var u = user("alice");
    store.createUser(u);
    assertFalse(store.findUserById(u.id()).orElseThrow().disabled());
  }

  @Test
  void setDisabled_flagsTheUser_andEndsEverySessionThroughTheRevocationRecord() {
    var u = user("alice");
    store.createUser(u);
    long before = store.lastRevocationSeq();
    assertTrue(join(storage.users().setDisabled(u.id(), true)));
    assertTrue(store.findUserById(u.id()).orElseThrow().disabled());
    assertTrue(store.findUserByUsername("alice").orElseThrow().disabled());
    assertTrue(store.listUsers().get(0).disabled());
    var entries = store.revocationsAfter(before, 10);
    assertEquals(1, entries.size());
    assertEquals(u.id(), entries.get(0).userId());
    assertEquals(Optional.empty(), entries.get(0).credentialId(), "user-wide: every session of the user ends");
  }

  @Test
  void setDisabled_false_enablesAgain_withoutARevocation() {
    var u = user("alice");
    store.createUser(u);
    join(storage.users().setDisabled(u.id(), true));
    long before = store.lastRevocationSeq();
    assertTrue(join(storage.users().setDisabled(u.id(), false)));
    assertFalse(store.findUserById(u.id()).orElseThrow().disabled());
    assertEquals(before, store.lastRevocationSeq());
  }

  @Test
  void setDisabled_unknownUser_isFalse_andAppendsNothing() {
    long before = store.lastRevocationSeq();
    assertFalse(join(storage.users().setDisabled("bm9ib2R5", true)));
    assertEquals(before, store.lastRevocationSeq());
  }

  @Test
  void setDisabled_leavesOtherUsersAlone() {
    var a = user("alice");
    var b = user("bob");
    store.createUser(a);
    store.createUser(b);
    join(storage.users().setDisabled(a.id(), true));
    assertFalse(store.findUserById(b.id()).orElseThrow().disabled());
  }
}
