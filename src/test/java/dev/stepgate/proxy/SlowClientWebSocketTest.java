package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP deadlines end with an upgrade: a quiet WebSocket outlives {@code proxy.idle_timeout} and header_timeout. */
class SlowClientWebSocketTest {
  @TempDir Path dir;

  @Test
  void webSocket_quietLongerThanTheIdleTimeout_staysOpen() throws Exception {
    try (var upstream = new TestUpstream();
        var gateway = Gateways.start(upstream.url(), dir.resolve("data"),
            "proxy: { header_timeout: 300ms, idle_timeout: 500ms, body_timeout: 300ms }\n");
        var socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      var out = socket.getOutputStream();
      var in = socket.getInputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      var head = head(in);
      assertEquals("HTTP/1.1 101", head.substring(0, 12), head);
      Thread.sleep(1500); // three idle timeouts, five header timeouts
      // one masked text frame (mask 0: the payload goes as it is)
      out.write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'});
      out.flush();
      assertEquals(0x81, in.read());
      int len = in.read();
      var payload = in.readNBytes(len);
      assertEquals("echo: hi", new String(payload, StandardCharsets.UTF_8));
    }
  }

  private static String head(InputStream in) throws Exception {
    var buf = new ByteArrayOutputStream();
    while (!buf.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) break;
      buf.write(b);
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }
}
