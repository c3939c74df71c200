package dev.stepgate.redis;

import dev.stepgate.stepup.HeldRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A held request as bytes for Redis, without its session id (Redis keeps the session's hash
 * beside it; the id is a bearer secret). Version byte first, so a later layout can be told apart.
 */
final class HeldCodec {
  private static final int VERSION = 1;

  private HeldCodec() {}

  static byte[] encode(HeldRequest r) {
    var bytes = new ByteArrayOutputStream(r.body().length + 256);
    try (var out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      string(out, r.method());
      string(out, r.host());
      string(out, r.pathAndQuery());
      out.writeInt(r.headers().size());
      for (var h : r.headers()) {
        string(out, h.getKey());
        string(out, h.getValue());
      }
      var body = r.body();
      out.writeInt(body.length);
      out.write(body);
      out.writeLong(r.heldAt().getEpochSecond());
      out.writeInt(r.heldAt().getNano());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static HeldRequest decode(String sessionId, byte[] data) {
    try (var in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readByte() != VERSION) throw new IllegalStateException("unknown held request layout");
      var method = string(in);
      var host = string(in);
      var target = string(in);
      int n = in.readInt();
      var headers = new ArrayList<Map.Entry<String, String>>(n);
      for (int i = 0; i < n; i++) headers.add(new AbstractMap.SimpleImmutableEntry<>(string(in), string(in)));
      var body = new byte[in.readInt()];
      in.readFully(body);
      var at = Instant.ofEpochSecond(in.readLong(), in.readInt());
      return new HeldRequest(sessionId, method, host, target, List.copyOf(headers), body, at);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    var b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    var b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
