package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsernamesTest {
  @Test
  void normalize_trimsFoldsWidthAndLowercases() {
    assertEquals("alice", Usernames.normalize("  ALICE\t"));
    assertEquals("alice", Usernames.normalize("\uFF21\uFF4C\uFF49\uFF43\uFF45")); // fullwidth, NFKC
    assertEquals("fi", Usernames.normalize("\uFB01")); // ligature, NFKC
  }

  @Test
  void normalize_blankTooLongOrControl_isRefused() {
    assertEquals("username must not be blank", assertThrows(IllegalArgumentException.class, () -> Usernames.normalize("  ")).getMessage());
    assertEquals("username must be at most 64 characters",
        assertThrows(IllegalArgumentException.class, () -> Usernames.normalize("a".repeat(65))).getMessage());
    assertEquals("username must not contain control characters",
        assertThrows(IllegalArgumentException.class, () -> Usernames.normalize("a\u0007b")).getMessage());
  }

  @Test
  void user_withUnnormalizedUsername_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new User("YWJj", "Alice", "A", Instant.EPOCH));
  }

  @Test
  void storedCredential_copiesArraysInAndOut() {
    var id = new byte[] {1, 2};
    var c = new StoredCredential(id, "u", new byte[] {3}, 0, false, false, false, null, null, Instant.EPOCH, null,
        new java.util.UUID(0, 0));
    id[0] = 9;
    assertEquals(1, c.credentialId()[0]);
    c.credentialId()[0] = 9;
    assertEquals(1, c.credentialId()[0]);
    assertEquals("Passkey", c.label());
  }

  @Test
  void storedCredential_idOver1023Bytes_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new StoredCredential(new byte[1024], "u", new byte[] {3}, 0,
        false, false, false, null, null, Instant.EPOCH, null, new java.util.UUID(0, 0)));
  }
}
