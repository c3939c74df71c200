package dev.stepgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueuedAuditTrailTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:15:30.250Z"), ZoneOffset.UTC);
  static final List<String> FIXED = List.of("ts", "event", "user", "sid", "request_id", "ip", "platform");

  @TempDir Path dir;

  @Test
  void line_isOneJsonObject_withTheFixedKeysFirst_thenTheEventsFields() {
    var entry = AuditEntry.of("step_up_passed").user("u-1").session("secret-session-id")
        .request("req-1", "203.0.113.9", "ios").with("rule", "payout").with("credential", "Y3JlZA");
    var line = AuditLine.of(CLOCK.instant(), entry);
    var json = new JsonObject(line);
    assertEquals(List.of("ts", "event", "user", "sid", "request_id", "ip", "platform", "rule", "credential"),
        List.copyOf(json.fieldNames()));
    assertEquals("2026-03-01T10:15:30.250Z", json.getString("ts"));
    assertEquals("step_up_passed", json.getString("event"));
    assertEquals(AuditEntry.sessionHash("secret-session-id"), json.getString("sid"));
    assertEquals("203.0.113.9", json.getString("ip"));
    assertTrue(!line.contains("secret-session-id"));
  }

  @Test
  void line_unknownParts_areNull_andNoValueCanBreakTheLine() {
    var line = AuditLine.of(CLOCK.instant(), AuditEntry.of("sign_in_failed").with("reason", "a\"b\\c\nd\u2028e\u0001"));
    assertTrue(!line.contains("\n") && !line.contains("\u2028"), line);
    var json = new JsonObject(line);
    for (var key : FIXED) assertTrue(json.containsKey(key), key);
    assertEquals(null, json.getString("user"));
    assertEquals("a\"b\\c\nd\u2028e\u0001", json.getString("reason"));
  }

  @Test
  void file_isAppendedTo_madeOwnerOnly_oneLinePerEvent() throws Exception {
    var file = dir.resolve("logs/audit.log");
    try (var trail = QueuedAuditTrail.file(file, CLOCK)) {
      trail.emit(AuditEntry.of("signed_in").user("u-1"));
    }
    try (var trail = QueuedAuditTrail.file(file, CLOCK)) {
      trail.emit(AuditEntry.of("passkey_added").user("u-1"));
      trail.emit(AuditEntry.of("passkey_revoked").user("u-1"));
    }
    var lines = Files.readAllLines(file);
    assertEquals(3, lines.size());
    assertEquals(List.of("signed_in", "passkey_added", "passkey_revoked"),
        lines.stream().map(l -> new JsonObject(l).getString("event")).toList());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
  }

  @Test
  void emit_fullQueue_dropsAndCounts_withoutWaiting() throws Exception {
    var release = new CountDownLatch(1);
    var out = new ByteArrayOutputStream();
    OutputStream stuck = new OutputStream() {
      @Override
      public void write(int b) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void write(byte[] b, int off, int len) {
        try {
          release.await(); // a disk that stopped answering
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        out.write(b, off, len);
      }
    };
    var trail = new QueuedAuditTrail(stuck, false, 2, CLOCK, "test");
    long start = System.nanoTime();
    for (int i = 0; i < 10; i++) trail.emit(AuditEntry.of("signed_in"));
    assertTrue(System.nanoTime() - start < 1_000_000_000L, "emit waited");
    // One taken by the writer (stuck in write), two queued: the other seven dropped.
    assertTrue(trail.dropped() >= 7 && trail.dropped() <= 8, "dropped " + trail.dropped());
    release.countDown();
    trail.close();
    var written = out.toString(StandardCharsets.UTF_8).split("\n").length;
    assertEquals(10, written + trail.dropped());
  }
}
