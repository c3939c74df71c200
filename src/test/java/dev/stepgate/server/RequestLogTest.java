package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.observe.AccessLog;
import dev.stepgate.observe.LogFormats;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** One request line per request at debug, on the relay and on Vert.x's path, with no secret in it. */
class RequestLogTest {
  @TempDir Path dir;
  private final Logger access = Logger.getLogger(AccessLog.NAME);
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level before;

  @BeforeEach
  void listen() {
    before = access.getLevel();
    access.setLevel(Level.FINE);
    access.addHandler(capture);
  }

  @AfterEach
  void stop() {
    access.removeHandler(capture);
    access.setLevel(before);
  }

  @ParameterizedTest(name = "relay: {0}")
  @ValueSource(booleans = {true, false})
  void eachRequest_oneLine_methodPathStatusRuleDecision_noQueryOrCookie(boolean relay) throws Exception {
    try (var upstream = new TestUpstream()) {
      var gateway = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN,
          "proxy: { relay: " + relay + " }\n").gateway();
      try (gateway; var client = new RawClient(gateway.port())) {
        for (var target : List.of("/a?token=hunter2", "/admin/x?code=hunter2"))
          client.send("GET " + target + " HTTP/1.1\r\nHost: localhost:" + gateway.port()
              + "\r\nAccept: application/json\r\nCookie: app=hunter2\r\n\r\n").read();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (records.size() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(2, records.size(), records.toString());
        var lines = records.stream().map(r -> new JsonObject(LogFormats.json().format(r))).toList();
        assertEquals("GET", lines.get(0).getString("method"));
        assertEquals("/a", lines.get(0).getString("path"));
        assertEquals(200, lines.get(0).getInteger("status"));
        assertEquals("defaults", lines.get(0).getString("rule"));
        assertEquals("allow", lines.get(0).getString("decision"));
        assertEquals("/admin/x", lines.get(1).getString("path"));
        assertEquals(403, lines.get(1).getInteger("status"));
        assertEquals("admin", lines.get(1).getString("rule"));
        assertEquals("deny", lines.get(1).getString("decision"));
        for (var line : lines) {
          assertEquals("debug", line.getString("level"));
          assertTrue(line.getString("request_id").length() >= 12, line.encode());
          assertTrue(line.getDouble("duration_ms") >= 0, line.encode());
          assertFalse(line.encode().contains("hunter2"), line.encode());
        }
      }
    }
  }
}
