package dev.stepgate.passkey;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.BlockingStore;
import dev.stepgate.credential.User;
import dev.stepgate.testing.RecordingAuditTrail;
import dev.stepgate.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryServiceTest {
  static final UnaryOperator<dev.stepgate.audit.AuditEntry> SAME = e -> e;
  @TempDir Path dir;
  BlockingStore store;
  RecordingAuditTrail audit = new RecordingAuditTrail();
  TestClock clock = new TestClock(Instant.parse("2026-12-02T14:05:00Z"));
  RecoveryService service;
  User alice = new User("alice-id", "alice", "Alice", Instant.EPOCH);

  @BeforeEach
  void open() {
    store = BlockingStore.open(dir);
    store.createUser(alice);
    service = new RecoveryService(store.storage().users(), store.storage().recovery(), audit, clock, RecoveryService.newCodeKey());
  }

  @AfterEach
  void close() {
    store.storage().close();
  }

  @Test
  void newCode_isFourGroupsOfBase32_eightyBits() {
    var seen = new HashSet<String>();
    for (int i = 0; i < 1000; i++) {
      var c = RecoveryService.newCode();
      assertTrue(c.matches("[A-Z2-7]{4}(-[A-Z2-7]{4}){3}"), c);
      seen.add(c);
    }
    assertEquals(1000, seen.size());
  }

  @Test
  void normalizeCode_acceptsHowPeopleTypeIt_refusesWhatCannotBeACode() {
    assertEquals(Optional.of("ABCDEFGHIJKLMNOP"), RecoveryService.normalizeCode("abcd efgh-ijkl-mnop"));
    assertEquals(Optional.of("OIBAAAAAAAAAAAAA"), RecoveryService.normalizeCode("018A-AAAA-AAAA-AAAA"));
    assertEquals(Optional.empty(), RecoveryService.normalizeCode("ABCD-EFGH"));
    assertEquals(Optional.empty(), RecoveryService.normalizeCode("ABCD-EFGH-IJKL-MNO!"));
    assertEquals(Optional.empty(), RecoveryService.normalizeCode(null));
  }

  @Test
  void verifyCode_spendsEachOnce_andOnlyForItsUser() {
    var codes = join(service.issueCodes(alice.id(), SAME));
    store.createUser(new User("bob-id", "bob", "Bob", Instant.EPOCH));
    assertEquals(Optional.empty(), join(service.verifyCode("bob", codes.get(0), SAME)));
    assertEquals(Optional.of(alice), join(service.verifyCode("Alice", codes.get(0), SAME)));
    assertEquals(Optional.empty(), join(service.verifyCode("alice", codes.get(0), SAME)));
    assertEquals(9, join(store.storage().recovery().unusedCodes(alice.id())));
  }

  @Test
  void issueCodes_storesOnlyKeyedHashes_andAuditsNoCode() throws Exception {
    var codes = join(service.issueCodes(alice.id(), SAME));
    var file = java.nio.file.Files.readAllBytes(dir.resolve("stepgate.db"));
    var text = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
    for (var c : codes) {
      assertFalse(text.contains(c), "a code in the file");
      assertFalse(text.contains(c.replace("-", "")), "a code in the file");
    }
    assertTrue(audit.entries().stream().noneMatch(e -> codes.stream().anyMatch(c -> e.toString().contains(c))));
  }

  @Test
  void verifyLink_singleUse_untilItExpires() {
    var token = join(service.issueLink("alice", Duration.ofHours(24), SAME));
    var late = join(service.issueLink("alice", Duration.ofHours(24), SAME));
    assertEquals(Optional.of(alice), join(service.verifyLink(token, SAME)));
    assertEquals(Optional.empty(), join(service.verifyLink(token, SAME)));
    clock.advance(Duration.ofHours(24));
    assertEquals(Optional.empty(), join(service.verifyLink(late, SAME)));
    assertEquals(Optional.empty(), join(service.verifyLink("not-a-token", SAME)));
    assertTrue(audit.entries().stream().noneMatch(e -> e.toString().contains(token)));
    assertEquals(1, audit.named("recovery_link_used").size());
    assertEquals(2, audit.named("recovery_link_issued").size());
  }

  @Test
  void issueLink_unknownUser_isRefused() {
    var e = assertThrows(PasskeyException.class, () -> join(service.issueLink("nobody", Duration.ofHours(1), SAME)));
    assertEquals("unknown-user", e.type());
  }
}
