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

}
