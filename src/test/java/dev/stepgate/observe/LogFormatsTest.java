package dev.stepgate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogFormatsTest {
  @Test
  void json_writesOneObjectPerLine_withTheCoreKeys() {
    var r = new LogRecord(Level.WARNING, "storage failed\nsecond \"line\"");
    r.setLoggerName("dev.stepgate.x");
    r.setMillis(0);
    r.setThrown(new IllegalStateException("secret=hunter2"));
    var line = LogFormats.json().format(r);
    assertTrue(line.endsWith("}\n"));
    assertEquals(1, line.split("\n", -1).length - 1, "one line");
    var json = new JsonObject(line);
    assertEquals("1970-01-01T00:00:00.000Z", json.getString("ts"));
    assertEquals("warn", json.getString("level"));
    assertEquals("dev.stepgate.x", json.getString("logger"));
    assertEquals("storage failed\nsecond \"line\"", json.getString("msg"));
    assertEquals("java.lang.IllegalStateException", json.getString("error"));
    assertFalse(line.contains("hunter2"), "an exception's message is never written");
  }

  @Test
  void json_requestLine_hasRequestIdAndFields() {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("method", "GET");
    fields.put("path", "/pay");
    fields.put("status", 303);
    fields.put("duration_ms", 1.25);
    var r = new StructuredRecord(Level.FINE, "request", fields, "abc123");
    r.setLoggerName(AccessLog.NAME);
    var json = new JsonObject(LogFormats.json().format(r));
    assertEquals("debug", json.getString("level"));
    assertEquals("abc123", json.getString("request_id"));
    assertEquals(303, json.getInteger("status"));
    assertEquals(1.25, json.getDouble("duration_ms"));
    assertEquals("/pay", json.getString("path"));
  }

  @Test
  void json_controlCharacters_cannotBreakTheLine() {
    var r = new LogRecord(Level.INFO, "a\u0000b\u2028c\rd");
    r.setLoggerName("l");
    var line = LogFormats.json().format(r);
    assertEquals(line.length() - 1, line.indexOf('\n'));
    assertEquals("a\u0000b\u2028c\rd", new JsonObject(line).getString("msg"));
  }

  @Test
  void text_requestLine_isKeyValue() {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("method", "GET");
    fields.put("status", 200);
    var r = new StructuredRecord(Level.FINE, "request", fields, null);
    r.setLoggerName(AccessLog.NAME);
    var line = LogFormats.text().format(r);
    assertTrue(line.endsWith("FINE dev.stepgate.access: request method=GET status=200\n"), line);
  }

  @Test
  void json_answered503_namesTheRequest() {
    var logger = java.util.logging.Logger.getLogger("test.throttle." + System.nanoTime());
    logger.setUseParentHandlers(false);
    var seen = new java.util.ArrayList<LogRecord>();
    logger.addHandler(new java.util.logging.Handler() {
      @Override
      public void publish(LogRecord r) {
        seen.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    new LogThrottle(logger, java.time.Duration.ofSeconds(10)).answered503("admission", new IllegalStateException("x"), "req-1");
    var json = new JsonObject(LogFormats.json().format(seen.get(0)));
    assertEquals("req-1", json.getString("request_id"));
    assertEquals(logger.getName(), json.getString("logger"));
    assertEquals("admission failed (java.lang.IllegalStateException), request req-1: answered 503", json.getString("msg"));
  }
}
