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

  @Test
  void groups_newUser_hasNone() {
    var u = user("alice");
    store.createUser(u);
    assertEquals(Set.of(), join(storage.users().groups(u.id())));
    assertEquals(Set.of(), join(storage.users().groups("bm9ib2R5")), "no such user: no groups");
  }

  @Test
  void addGroup_makesAMember_listedByCodePoint_andOnlyForThatUser() {
    var a = user("alice");
    var b = user("bob");
    store.createUser(a);
    store.createUser(b);
    assertTrue(join(storage.users().addGroup(a.id(), "ops")));
    assertTrue(join(storage.users().addGroup(a.id(), "Admins")));
    assertTrue(join(storage.users().addGroup(a.id(), "admins")));
    assertEquals(List.of("Admins", "admins", "ops"), List.copyOf(join(storage.users().groups(a.id()))));
    assertEquals(Set.of(), join(storage.users().groups(b.id())));
  }

  @Test
  void addGroup_appendsAGroupsEntry_thatEndsNoSession() {
    var u = user("alice");
    store.createUser(u);
    long before = store.lastRevocationSeq();
    assertTrue(join(storage.users().addGroup(u.id(), "admins")));
    var entries = store.revocationsAfter(before, 10);
    assertEquals(1, entries.size());
    assertEquals(LoggedRevocation.Kind.GROUPS, entries.get(0).kind());
    assertEquals(u.id(), entries.get(0).userId());
    assertEquals(Optional.empty(), entries.get(0).credentialId());
  }

  @Test
  void addGroup_again_isFalse_andAppendsNothing() {
    var u = user("alice");
    store.createUser(u);
    join(storage.users().addGroup(u.id(), "admins"));
    long before = store.lastRevocationSeq();
    assertFalse(join(storage.users().addGroup(u.id(), "admins")));
    assertEquals(before, store.lastRevocationSeq());
    assertEquals(Set.of("admins"), join(storage.users().groups(u.id())));
  }

  @Test
  void removeGroup_endsMembership_andAppendsAGroupsEntry() {
    var u = user("alice");
    store.createUser(u);
    join(storage.users().addGroup(u.id(), "admins"));
    join(storage.users().addGroup(u.id(), "ops"));
    long before = store.lastRevocationSeq();
    assertTrue(join(storage.users().removeGroup(u.id(), "admins")));
    assertEquals(Set.of("ops"), join(storage.users().groups(u.id())));
    var entries = store.revocationsAfter(before, 10);
    assertEquals(List.of(LoggedRevocation.Kind.GROUPS), entries.stream().map(LoggedRevocation::kind).toList());
  }

  @Test
  void removeGroup_notAMember_isFalse_andAppendsNothing() {
    var u = user("alice");
    store.createUser(u);
    long before = store.lastRevocationSeq();
    assertFalse(join(storage.users().removeGroup(u.id(), "admins")));
    assertEquals(before, store.lastRevocationSeq());
  }

  @Test
  void addGroupAndRemoveGroup_badName_areRefusedWithTheReason() {
    var u = user("alice");
    store.createUser(u);
    for (var bad : new String[] {"", "a,b", "-x", "a b", "é", "x".repeat(dev.stepgate.GroupNames.MAX_LENGTH + 1)}) {
      var e = assertThrows(CredentialException.class, () -> join(storage.users().addGroup(u.id(), bad)), bad);
      assertEquals("group-invalid", e.type());
      assertEquals(400, e.status());
      assertEquals("Invalid group name: " + dev.stepgate.GroupNames.problem(bad).orElseThrow() + ".", e.getMessage());
      var r = assertThrows(CredentialException.class, () -> join(storage.users().removeGroup(u.id(), bad)), bad);
      assertEquals("group-invalid", r.type());
    }
    assertEquals(Set.of(), join(storage.users().groups(u.id())));
  }

  @Test
  void addGroupAndRemoveGroup_unknownUser_areRefused_andAppendNothing() {
    long before = store.lastRevocationSeq();
    var e = assertThrows(CredentialException.class, () -> join(storage.users().addGroup("bm9ib2R5", "admins")));
    assertEquals("unknown-user", e.type());
    assertEquals(404, e.status());
    var r = assertThrows(CredentialException.class, () -> join(storage.users().removeGroup("bm9ib2R5", "admins")));
    assertEquals("unknown-user", r.type());
    assertEquals(before, store.lastRevocationSeq());
  }

  @Test
  void addGroup_pastTheLimit_isRefused() {
    var u = user("alice");
    store.createUser(u);
    for (int i = 0; i < dev.stepgate.GroupNames.MAX_PER_USER; i++)
      assertTrue(join(storage.users().addGroup(u.id(), "g" + i)));
    long before = store.lastRevocationSeq();
    var e = assertThrows(CredentialException.class, () -> join(storage.users().addGroup(u.id(), "one-more")));
    assertEquals("too-many-groups", e.type());
    assertEquals(dev.stepgate.GroupNames.MAX_PER_USER, join(storage.users().groups(u.id())).size());
    assertEquals(before, store.lastRevocationSeq());
    assertFalse(join(storage.users().addGroup(u.id(), "g0")), "a member already: no change, no refusal");
  }
}
